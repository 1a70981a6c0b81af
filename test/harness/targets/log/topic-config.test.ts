/**
 * `topology.topicConfig` of a log scenario: checked by the broker's own topic-config rules when
 * the scenario loads, so a typo or a bad value names the field and the fix and the CLI exits 2
 * before any process starts; a good one is part of the durability label.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringify } from "yaml";
import { scenarioFromObject } from "../../../../harness/scenario/load.ts";
import type { Scenario } from "../../../../harness/scenario/scenario.ts";
import { logFacts } from "../../../../harness/targets/log/facts.ts";
import type { LogTopology } from "../../../../harness/targets/log/schema.ts";

const root = join(import.meta.dirname, "../../../..");
const work = mkdtempSync(join(tmpdir(), "fb-topic-config-"));
after(() => rmSync(work, { recursive: true, force: true }));

const raw = (topicConfig: Record<string, unknown>) => ({
  name: "topic-config",
  description: "a log cluster whose topic has its own configs",
  engine: "log",
  topology: { brokers: 3, replication: 3, partitions: 1, config: { "min.insync.replicas": 1 }, topicConfig },
  workload: { rate: "10/s", duration: "1s", acks: "all" },
});

test("a bad topicConfig names the field and the fix", () => {
  assert.throws(
    () => scenarioFromObject(raw({ "min.insync.replicaz": 2 }), "t.yaml"),
    /topology\.topicConfig\.min\.insync\.replicaz: is not a topic config; use one of .*min\.insync\.replicas/,
  );
  assert.throws(
    () => scenarioFromObject(raw({ "unclean.leader.election.enable": "maybe" }), "t.yaml"),
    /topology\.topicConfig\.unclean\.leader\.election\.enable: expected true or false, got maybe; fix the value/,
  );
  assert.throws(
    () => scenarioFromObject(raw({ "min.insync.replicas": 4 }), "t.yaml"),
    /topology\.topicConfig\.min\.insync\.replicas: is 4 but the topic has 3 replica\(s\)/,
  );
});

test("a good topicConfig overrides the broker's min.insync.replicas in the durability label", () => {
  const s = scenarioFromObject(raw({ "min.insync.replicas": 3, "retention.ms": 60000 }), "t.yaml");
  assert.equal(logFacts(s as Scenario<LogTopology>).durability, "acks=all · RF=3 · min.insync=3");
});

test("the CLI exits 2 on a bad topicConfig, without a stack trace", () => {
  const file = join(work, "bad.yaml");
  writeFileSync(file, stringify(raw({ "min.insync.replicas": "two" })));
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "bin/faultbench.js"), "run", file], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /topology\.topicConfig\.min\.insync\.replicas/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
