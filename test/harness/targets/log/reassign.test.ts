/**
 * The `reassign` fault of a log scenario: bad fields name themselves and the fix when the scenario
 * loads (the CLI exits 2, no stack trace), `topology.initialBrokers` is checked against the
 * broker count and the replication factor, and the move plan replaces the leaving broker in place.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringify } from "yaml";
import type { NemesisF } from "../../../../harness/history/op.ts";
import { analyze } from "../../../../harness/run/analyze.ts";
import { scenarioFromObject } from "../../../../harness/scenario/load.ts";
import { planMove } from "../../../../harness/targets/log/reassign.ts";
import { HistoryBuilder } from "../../../helpers/history-builder.ts";

const root = join(import.meta.dirname, "../../../..");
const work = mkdtempSync(join(tmpdir(), "fb-reassign-"));
after(() => rmSync(work, { recursive: true, force: true }));

const raw = (fault: Record<string, unknown>, topology: Record<string, unknown> = {}) => ({
  name: "scale-out",
  engine: "log",
  topology: { brokers: 4, initialBrokers: 3, replication: 3, partitions: 6, ...topology },
  workload: { rate: "10/s", duration: "10s", acks: "all" },
  faults: [{ kind: "reassign", at: "2s", from: "broker-1", node: "broker-4", ...fault }],
});

test("a good reassign fault loads, named by its target broker", () => {
  const s = scenarioFromObject(raw({ partitions: [0, 3] }), "t.yaml");
  const f = s.faults[0]!;
  assert.equal(f.kind, "reassign");
  assert.equal(f.name, "reassign-broker-4@2s");
  assert.ok(f.kind === "reassign" && f.within === 60_000 && f.partitions?.join() === "0,3");
});

test("bad reassign fields name the field and the fix", () => {
  const bad: Array<[Record<string, unknown>, Record<string, unknown>, RegExp]> = [
    [
      { from: "broker-9" },
      {},
      /faults\[0\]\.from: no broker named "broker-9"; brokers: broker-1, broker-2, broker-3, broker-4/,
    ],
    [{ from: "broker-4" }, {}, /faults\[0\]\.from: is "broker-4", the broker the replicas move to/],
    [
      { node: "consumer-1" },
      {},
      /faults\[0\]\.node: reassign does not apply to "consumer-1"; it applies to: broker-1/,
    ],
    [
      { partitions: [0, 6] },
      {},
      /faults\[0\]\.partitions\[1\]: partition 6 does not exist: the topic has 6 \(0–5\)/,
    ],
    [{ partitions: [] }, {}, /faults\[0\]\.partitions: lists no partition/],
    [{}, { initialBrokers: 5 }, /topology\.initialBrokers: is 5 but there are 4 broker\(s\)/],
    [{}, { initialBrokers: 2 }, /topology\.initialBrokers: is 2 but each partition needs 3 replicas/],
    [
      { node: "broker-1", from: "broker-1" },
      { brokers: 1, initialBrokers: 1, replication: 1 },
      /faults\[0\]\.node: reassign moves replicas between brokers of a cluster: set topology\.brokers to 2 or more/,
    ],
  ];
  for (const [fault, topology, message] of bad)
    assert.throws(() => scenarioFromObject(raw(fault, topology), "t.yaml"), message);
});

test("the CLI exits 2 on a bad reassign fault, without a stack trace", () => {
  const file = join(work, "bad.yaml");
  writeFileSync(file, stringify(raw({ from: "broker-7" })));
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "bin/faultbench.js"), "run", file], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /faults\[0\]\.from/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test("planMove swaps the leaving broker for the new one in place, and refuses moves that make no sense", () => {
  const current = new Map([
    [0, [1, 2, 3]],
    [1, [2, 3, 1]],
    [2, [3, 2, 4]],
  ]);
  assert.deepEqual(planMove(current, { from: "broker-1", to: "broker-4" }), [
    { partition: 0, replicas: [4, 2, 3] },
    { partition: 1, replicas: [2, 3, 4] },
  ]);
  assert.throws(
    () => planMove(current, { from: "broker-1", to: "broker-4", partitions: [2] }),
    /no replica on broker-1/,
  );
  assert.throws(
    () => planMove(current, { from: "broker-2", to: "broker-4", partitions: [2] }),
    /already has a replica on broker-4/,
  );
  assert.throws(
    () => planMove(new Map([[0, [2, 3]]]), { from: "broker-1", to: "broker-4" }),
    /no partition has a replica on broker-1/,
  );
});

test("the move's duration is faults.<name>.moveMs: from the request until it completed; null when it did not", () => {
  const s = scenarioFromObject(
    {
      ...raw({ name: "move", partitions: [0] }),
      faults: [
        { name: "move", kind: "reassign", at: "2s", from: "broker-1", node: "broker-4", partitions: [0] },
        { name: "stuck", kind: "reassign", at: "6s", from: "broker-2", node: "broker-4", partitions: [1] },
      ],
    },
    "t.yaml",
  );
  const b = new HistoryBuilder().start("f", 1, 0).phase(0, "warmup").phase(1_000_000, "measure");
  for (let k = 0; k < 90; k++) b.send(k * 100_000 + 50_000, 0, k, k, "ok", k * 100_000 + 52_000);
  const step = (t: number, type: "invoke" | "ok" | "fail", f: NemesisF, fault: string) =>
    b.nemesis(t, type, f, fault, "broker-4", "reassign");
  step(2_000_000, "invoke", "reassign", "move");
  step(2_040_000, "ok", "reassign", "move");
  step(2_040_000, "invoke", "reassigned", "move");
  step(3_250_000, "ok", "reassigned", "move");
  step(6_000_000, "invoke", "reassign", "stuck");
  step(6_030_000, "ok", "reassign", "stuck");
  step(6_030_000, "invoke", "reassigned", "stuck");
  step(8_000_000, "fail", "reassigned", "stuck");
  b.phase(10_000_000, "drain").phase(10_100_000, "done");
  const a = analyze(b.build(), s);
  const move = a.faults.find((f) => f.name === "move")!;
  const stuck = a.faults.find((f) => f.name === "stuck")!;
  assert.equal(move.applied, true);
  assert.equal(move.moveMs, 1250);
  assert.equal(move.endMs, 3250);
  assert.equal(stuck.applied, true, "the move was requested: the fault happened");
  assert.equal(stuck.moveMs, null);
  assert.equal(
    a.faults.find((f) => f.kind === "kill"),
    undefined,
  );
});
