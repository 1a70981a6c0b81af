/**
 * The seed's claim and its fine print on a real 3-broker cluster whose every link runs through
 * its own fault proxy (harness/targets/log/cluster-plan.ts): a partition cuts the leader off from
 * its followers and the quorum while clients still reach it. With acks=all nothing acknowledged is
 * lost (the isolated leader cannot commit); with acks=1 the writes the isolated leader
 * acknowledged are truncated when it rejoins as a follower.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { parseReady } from "../../../../engines/shared/ready-signal.ts";
import { serveProxy } from "../../../../harness/proxy/main.ts";
import {
  brokerName,
  clusterLinks,
  clusterNodeArgs,
  voters,
} from "../../../../harness/targets/log/cluster-plan.ts";
import { pickPorts } from "../../../../lib/pick-ports.ts";
import { fastCluster } from "../../../engines/log/helpers/cluster.ts";
import { waitFor } from "../../../engines/log/helpers/kafka.ts";
import { defer, tempDir } from "../../../engines/log/helpers/tmp.ts";

type T = { after: (f: () => unknown) => void };

async function proxiedCluster(t: T) {
  const shape = { brokers: 3, controllers: "combined" as const };
  const proxy = await serveProxy({ port: 0 });
  defer(t, () => proxy.close());
  const api = `http://127.0.0.1:${proxy.port}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${api}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  };
  const links = [
    ...clusterLinks(shape),
    ...[1, 2, 3].map((i) => ({
      name: `clients->${brokerName(i)}`,
      from: "clients",
      to: brokerName(i),
      port: "kafka" as const,
    })),
  ];
  const ports = await pickPorts(3 + 3 + links.length);
  const kafka = new Map([1, 2, 3].map((i) => [brokerName(i), ports[i - 1]!]));
  const controller = new Map(voters(shape).map((v, k) => [v.id, ports[3 + k]!]));
  const listen = new Map(links.map((l, k) => [l.name, ports[6 + k]!]));
  for (const l of links) {
    const upstream =
      l.port === "kafka" ? kafka.get(l.to)! : controller.get(Number(l.to.slice("broker-".length)))!;
    await call("POST", "/proxies", {
      name: l.name,
      listen: `127.0.0.1:${listen.get(l.name)}`,
      upstream: `127.0.0.1:${upstream}`,
    });
  }
  const dir = tempDir(t);
  const procs = await Promise.all(
    [1, 2, 3].map(async (i) => {
      const name = brokerName(i);
      const args = [
        "--import",
        "tsx",
        "engines/log/main.ts",
        "--name",
        name,
        "--port",
        String(kafka.get(name)),
        "--data",
        join(dir, name),
        "--advertised-listener",
        `127.0.0.1:${listen.get(`clients->${name}`)}`,
        ...clusterNodeArgs(shape, name, { kafka, controller, listen }),
        ...Object.entries(fastCluster).flatMap(([k, v]) => ["--set", `${k}=${v}`]),
      ];
      const p = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
      let err = "";
      p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
      defer(t, () => p.kill("SIGKILL"));
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: p.stdout! }).on("line", (l) => parseReady(l) && resolve());
        p.once("exit", (c) => reject(new Error(`${name} exited ${c}: ${err}`)));
      });
      return p;
    }),
  );
  void procs;
  const isolate = async (node: string, cut: boolean) => {
    for (const l of links) {
      if (l.from === "clients" || (l.from !== node && l.to !== node)) continue;
      for (const stream of ["upstream", "downstream"]) {
        const name = `iso-${stream}`;
        if (cut)
          await call("POST", `/proxies/${l.name}/toxics`, {
            name,
            type: "timeout",
            stream,
            attributes: { timeout: 0 },
          });
        else await call("DELETE", `/proxies/${l.name}/toxics/${name}`);
      }
    }
  };
  const bootstrap = [1, 2, 3].map((i) => `127.0.0.1:${listen.get(`clients->${brokerName(i)}`)}`);
  return { bootstrap, isolate };
}

async function isolatedLeaderRun(t: T, acks: number): Promise<{ acked: number; lost: number }> {
  const c = await proxiedCluster(t);
  const kafka = new Kafka({
    clientId: "iso",
    brokers: c.bootstrap,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 30 },
  });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({
    topics: [{ topic: "iso", replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }],
  });
  const producer = kafka.producer({ retry: { retries: 2, initialRetryTime: 100 } });
  await producer.connect();
  defer(t, () => producer.disconnect());
  const acked: string[] = [];
  let n = 0;
  let stop = false;
  const load = (async () => {
    while (!stop) {
      const value = `v${n++}`;
      try {
        await producer.send({ topic: "iso", acks, timeout: 1000, messages: [{ value }] });
        acked.push(value);
      } catch {
        // not acknowledged: never counted
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  await new Promise((r) => setTimeout(r, 1000));
  await c.isolate("broker-1", true);
  await new Promise((r) => setTimeout(r, 3500));
  await c.isolate("broker-1", false);
  await new Promise((r) => setTimeout(r, 3000));
  stop = true;
  await load;
  const consumer = kafka.consumer({ groupId: "iso-check", maxWaitTimeInMs: 200 });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic: "iso", fromBeginning: true });
  const seen = new Set<string>();
  await consumer.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
  const hw = async () => Number((await admin.fetchTopicOffsets("iso"))[0]!.high);
  await waitFor(async () => seen.size >= (await hw()), 20_000, "the consumer to reach the HW");
  return { acked: acked.length, lost: acked.filter((v) => !seen.has(v)).length };
}

test("isolated leader, acks=all: nothing acknowledged is lost", async (t) => {
  const r = await isolatedLeaderRun(t, -1);
  assert.ok(r.acked > 20, `writes were acknowledged (${r.acked})`);
  assert.equal(r.lost, 0);
});

test("isolated leader, acks=1: the writes the isolated leader acknowledged are lost", async (t) => {
  const r = await isolatedLeaderRun(t, 1);
  assert.ok(r.lost > 0, `expected lost > 0 of ${r.acked} acked`);
});
