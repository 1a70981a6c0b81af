import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { grid, parseSet, parseValue, pointLabel, setPath, zip } from "../../../harness/sweep/grid.ts";
import { kneeIndex } from "../../../harness/sweep/knee.ts";

describe("sweep grid", () => {
  test("values: 10k, 1.5M, booleans, and text kept as written", () => {
    assert.equal(parseValue("10k"), 10_000);
    assert.equal(parseValue("1.5M"), 1_500_000);
    assert.equal(parseValue("3"), 3);
    assert.equal(parseValue("true"), true);
    assert.equal(parseValue("5000/s"), "5000/s");
    assert.equal(parseValue("file"), "file");
  });

  test("--set parses a path and its values, and refuses anything else with the fix", () => {
    assert.deepEqual(parseSet("topology.partitions=1,3,6"), {
      path: "topology.partitions",
      values: [1, 3, 6],
    });
    assert.throws(() => parseSet("partitions"), /--set workload.rate=10k,20k/);
    assert.throws(() => parseSet("a b=1"), /write a scenario path/);
  });

  test("a grid crosses every dimension; a list pairs them", () => {
    const dims = [parseSet("workload.rate=10k,20k"), parseSet("topology.partitions=1,3,6")];
    const g = grid(dims);
    assert.equal(g.length, 6);
    assert.deepEqual(g[0], { "workload.rate": 10_000, "topology.partitions": 1 });
    assert.deepEqual(g[5], { "workload.rate": 20_000, "topology.partitions": 6 });
    assert.deepEqual(zip([parseSet("a=1,2"), parseSet("b=x,y")]), [
      { a: 1, b: "x" },
      { a: 2, b: "y" },
    ]);
    assert.throws(() => zip([parseSet("a=1,2"), parseSet("b=x")]), /--list pairs/);
  });

  test("setPath creates mappings, expands * over every key, and leaves the original alone", () => {
    const doc = {
      topology: { agents: { a1: { channel: { type: "memory" } }, a2: { channel: { type: "memory" } } } },
    };
    const out = setPath(doc, "topology.agents.*.channel.type", "file");
    assert.deepEqual(out, {
      topology: { agents: { a1: { channel: { type: "file" } }, a2: { channel: { type: "file" } } } },
    });
    assert.equal(doc.topology.agents.a1.channel.type, "memory");
    assert.deepEqual(setPath({}, "workload.workers", 2), { workload: { workers: 2 } });
    assert.throws(() => setPath({ name: "x" }, "name.y", 1), /not a mapping/);
  });

  test("labels read short", () => {
    assert.equal(
      pointLabel({ "topology.partitions": 3, "topology.agents.*.channel.type": "file" }),
      "partitions=3 channel.type=file",
    );
  });

  test("the knee is the highest throughput still within 2× the lowest p99", () => {
    const curve = [
      { throughput: 1000, p99: 5 },
      { throughput: 2000, p99: 6 },
      { throughput: 4000, p99: 9 },
      { throughput: 6000, p99: 40 },
      { throughput: 6500, p99: 400 },
    ];
    assert.equal(kneeIndex(curve), 2);
    assert.equal(kneeIndex([]), undefined);
  });
});
