import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, test } from "node:test";
import type { SampleOp } from "../../../../harness/history/op.ts";
import type { NodeProcess } from "../../../../harness/supervisor/node-process.ts";
import { AgentMetricsSampler, channelGauges } from "../../../../harness/targets/agent/metrics-sampler.ts";

describe("channelGauges", () => {
  test("sums the channels of a Flume /metrics snapshot", () => {
    assert.deepEqual(
      channelGauges({
        "SOURCE.r1": { Type: "SOURCE", EventReceivedCount: 10 },
        "CHANNEL.c1": { Type: "CHANNEL", ChannelSize: 30, ChannelCapacity: 100, ChannelFillPercentage: 30 },
        "CHANNEL.c2": { Type: "CHANNEL", ChannelSize: 10, ChannelCapacity: 300, ChannelFillPercentage: 3.33 },
      }),
      { channelSize: 40, channelFillPercentage: 10 },
    );
  });

  test("Flume's string values are read too; no channel means no sample", () => {
    assert.deepEqual(channelGauges({ "CHANNEL.c1": { ChannelSize: "5", ChannelFillPercentage: "50.0" } }), {
      channelSize: 5,
      channelFillPercentage: 50,
    });
    assert.equal(channelGauges({ "SOURCE.r1": { Type: "SOURCE" } }), undefined);
    assert.equal(channelGauges(null), undefined);
    assert.equal(channelGauges("nope"), undefined);
  });
});

describe("AgentMetricsSampler", () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.closeAllConnections();
    return Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });
  async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
    const s = createServer(handler);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return (s.address() as AddressInfo).port;
  }
  const node = (name: string, state: NodeProcess["state"], metrics?: number) =>
    ({ spec: { name }, state, ports: metrics === undefined ? {} : { metrics } }) as unknown as NodeProcess;

  test("samples running agents, skips stopped, paused and unresponsive ones, never throws", async () => {
    let size = 0;
    const ok = await serve((_req, res) => {
      size += 10;
      res.end(JSON.stringify({ "CHANNEL.c1": { ChannelSize: size, ChannelCapacity: 100 } }));
    });
    // A SIGSTOPped agent accepts the connection (the kernel does) but never answers.
    const hung = await serve(() => {});
    const broken = await serve((_req, res) => res.writeHead(500).end());
    const ops: SampleOp[] = [];
    let clock = 0;
    const sampler = new AgentMetricsSampler({
      nodes: () => [
        node("a1", "running", ok),
        node("a2", "running", hung),
        node("a3", "paused", ok),
        node("a4", "stopped", ok),
        node("a5", "running", broken),
        node("a6", "running"),
      ],
      now: () => (clock += 1000),
      record: (op) => ops.push(op),
      intervalMs: 60,
      timeoutMs: 100,
    });
    sampler.start();
    await new Promise((r) => setTimeout(r, 330));
    await sampler.stop();
    assert.ok(ops.length >= 3, `${ops.length} samples`);
    assert.deepEqual([...new Set(ops.map((o) => o.node))], ["a1"]);
    assert.deepEqual(ops[0], {
      t: ops[0]?.t,
      process: "sampler",
      type: "info",
      f: "sample",
      node: "a1",
      metrics: { channelSize: 10, channelFillPercentage: 10 },
    });
    const n = ops.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(ops.length, n, "nothing is recorded after stop");
  });
});
