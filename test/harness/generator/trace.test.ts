import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type PlannedMessage, Schedule, type ScheduleWorkload } from "../../../harness/generator/schedule.ts";
import { loadTrace, parseSpeed, parseTrace, type TraceSpec } from "../../../harness/generator/trace.ts";
import { loadScenario, scenarioFromObject } from "../../../harness/scenario/load.ts";

const root = join(import.meta.dirname, "../../..");

function messages(w: ScheduleWorkload, seed = 1): PlannedMessage[] {
  const s = new Schedule(w, seed);
  const out: PlannedMessage[] = [];
  for (let m = s.next(); m !== undefined; m = s.next()) out.push(m);
  return out;
}

function traced(trace: TraceSpec, extra: Partial<ScheduleWorkload> = {}): ScheduleWorkload {
  return {
    rate: 0,
    arrival: "uniform",
    producers: 2,
    keys: 0,
    warmup: 1000,
    duration: 5000,
    trace,
    ...extra,
  };
}

describe("trace replay", () => {
  test("NDJSON, CSV (with or without a header) and an earlier history read the same shape", () => {
    const nd = parseTrace('{"t": 10, "key": "a", "size": 200}\n{"t": 0}\n{"t": 5, "key": "b"}\n', "x.ndjson");
    assert.deepEqual([...nd.offsetUs], [0, 5000, 10000]);
    assert.deepEqual(nd.keys, [undefined, "b", "a"]);
    assert.deepEqual([...nd.sizes], [0, 0, 200]);
    const csv = parseTrace("size,t,key\n200,10,a\n0,0,\n0,5,b\n", "x.csv");
    assert.deepEqual([...csv.offsetUs], [0, 5000, 10000]);
    assert.deepEqual(csv.keys, [undefined, "b", "a"]);
    assert.deepEqual([...parseTrace("0\n5\n10\n", "y.csv").offsetUs], [0, 5000, 10000]);
    const hist = parseTrace(
      [
        '{"t":0,"process":"harness","type":"info","f":"start"}',
        '{"t":1000,"process":"producer-0","type":"invoke","f":"send","req":0,"producer":0,"from":0,"to":2}',
        '{"t":1500,"process":"producer-0","type":"ok","f":"send","req":0,"producer":0,"from":0,"to":2}',
        '{"t":4000,"process":"producer-1","type":"invoke","f":"send","req":1,"producer":1,"from":0,"to":0}',
      ].join("\n"),
      "history.ndjson",
    );
    assert.deepEqual([...hist.offsetUs], [0, 0, 0, 3000]);
  });

  test("bad rows name the line and the fix", () => {
    assert.throws(
      () => parseTrace('{"t": 0}\n{"t": "soon"}\n', "x.ndjson"),
      /x\.ndjson:2: "t" \(the offset in ms\) must be a number/,
    );
    assert.throws(() => parseTrace("when,key\n1,a\n", "x.csv"), /needs a "t" column/);
    assert.throws(() => parseTrace("", "x.csv"), /empty/);
  });

  test("speeds read as factors", () => {
    assert.equal(parseSpeed("3x"), 3);
    assert.equal(parseSpeed("0.5"), 0.5);
    assert.equal(parseSpeed(2), 2);
    assert.equal(parseSpeed("fast"), undefined);
    assert.equal(parseSpeed(0), undefined);
  });

  test("the shipped burst trace replays at 1× and 3× with the right rates, burst included", () => {
    const rows = loadTrace(join(root, "scenarios/capacity/traces/burst.csv"));
    assert.equal(rows.offsetUs.length, 1800);
    for (const speed of [1, 3]) {
      const ms = messages(traced({ file: "burst.csv", speed, loop: true, rows }));
      // Measured window [1 s, 6 s): 5 s = one pass at 1×, three at 3× (360 events/s on average).
      const inWindow = ms.filter((m) => m.intendedUs >= 1e6 && m.intendedUs < 6e6).length;
      const rate = inWindow / 5;
      assert.ok(Math.abs(rate - 360 * speed) / (360 * speed) < 0.02, `speed ${speed}: ${rate}/s`);
      // The burst: 1,000/s × speed in the pass's third second.
      const burstStart = 2e6 / speed;
      const burst = ms.filter(
        (m) => m.intendedUs >= burstStart && m.intendedUs < burstStart + 1e6 / speed,
      ).length;
      assert.ok(Math.abs(burst - 1000) <= 2, `burst ${burst}`);
      // Sizes and keys come from the trace.
      const inBurst = ms.find((m) => m.intendedUs >= burstStart);
      assert.equal(inBurst?.size, 250);
      assert.match(inBurst?.key ?? "", /^k[0-7]$/);
    }
  });

  test("without loop the replay ends with the trace", () => {
    const rows = parseTrace("0\n100\n200\n", "t.csv");
    const ms = messages(traced({ file: "t.csv", speed: 1, loop: false, rows }));
    assert.deepEqual(
      ms.map((m) => m.intendedUs),
      [0, 100_000, 200_000],
    );
    assert.deepEqual(
      ms.map((m) => [m.producer, m.seq]),
      [
        [0, 0],
        [1, 0],
        [0, 1],
      ],
    );
  });

  test("a scenario names its trace relative to itself; a rate beside a trace is an error", async () => {
    const s = await loadScenario(join(root, "scenarios/capacity/agent-trace.yaml"));
    assert.equal(s.workload.trace?.rows.offsetUs.length, 1800);
    assert.equal(s.workload.trace?.loop, true);
    assert.match(
      String((s.raw.workload as { trace: { file: string } }).trace.file),
      /^\/.*traces\/burst\.csv$/,
    );
    const raw = structuredClone(s.raw) as { workload: Record<string, unknown> };
    raw.workload.rate = "100/s";
    assert.throws(() => scenarioFromObject(raw, "x.yaml"), /workload.rate: a trace sets the timing/);
    raw.workload.rate = undefined;
    raw.workload.trace = "no-such-trace.csv";
    assert.throws(() => scenarioFromObject(raw, "x.yaml"), /workload.trace: cannot read the trace/);
  });
});
