import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, test } from "node:test";
import kafkajs from "kafkajs";
import { Toxiproxy } from "toxiproxy-node-client";
import { ApiKey } from "../../engines/log/protocol/registry.ts";
import { RawClient } from "../../engines/log/tools/raw-client.ts";
import { parseReady, type ReadySignal } from "../../engines/shared/ready-signal.ts";

const root = join(import.meta.dirname, "../..");
const cli = join(root, "harness/cli.ts");
const dir = mkdtempSync(join(tmpdir(), "fb-serve-"));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `faultbench serve …` and resolves with its ready line. */
function serve(
  args: string[],
): Promise<{ child: ChildProcess; ready: ReadySignal; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ["--import", "tsx", cli, "serve", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let err = "";
  child.stderr?.on("data", (d) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`not ready: ${err}`)), 20_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const ready = parseReady(line);
      if (ready) {
        clearTimeout(t);
        resolve({ child, ready, exited });
      }
    });
    void exited.then((code) => reject(new Error(`exited ${code} before ready: ${err}`)));
  });
}

test("serve log: kafkajs creates a topic, produces and consumes through the CLI's broker", async () => {
  const { child, ready, exited } = await serve([
    "log",
    "--port",
    "0",
    "--data",
    join(dir, "log"),
    "--set",
    "flush.messages=1",
  ]);
  const port = ready.ports.kafka as number;
  const kafka = new kafkajs.Kafka({
    clientId: "t",
    brokers: [`127.0.0.1:${port}`],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "t1", numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: "t1", acks: -1, messages: [{ key: "k", value: "hello" }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: "g1" });
  await consumer.connect();
  await consumer.subscribe({ topic: "t1", fromBeginning: true });
  const got = await new Promise<string>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? "") });
  });
  await consumer.disconnect();
  assert.equal(got, "hello");
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
});

test("serve log: a bad setting exits 2 with the key named", async () => {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", cli, "serve", "log", "--data", join(dir, "bad"), "--set", "no.such.key=1"],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  let err = "";
  child.stderr?.on("data", (d) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  assert.equal(code, 2);
  assert.match(err, /no\.such\.key/);
});

test("serve cluster: three broker processes in three racks answer Metadata with them; SIGTERM stops every node", async () => {
  const { child, ready, exited } = await serve([
    "cluster",
    "--data",
    join(dir, "cluster"),
    "--port",
    "0",
    "--brokers",
    "3",
    "--racks",
    "az-a,az-b,az-c",
    "--set",
    "broker.session.timeout.ms=3000",
  ]);
  const ports = Object.values(ready.ports) as number[];
  assert.equal(ports.length, 3);
  const c = await RawClient.connect(ports[0]!);
  const md = (await c.request(ApiKey.Metadata, 6, { topics: [], allowAutoTopicCreation: false })) as {
    brokers: Array<{ nodeId: number; port: number; rack: string | null }>;
  };
  c.close();
  assert.deepEqual(md.brokers.map((b) => [b.nodeId, b.rack]).sort(), [
    [1, "az-a"],
    [2, "az-b"],
    [3, "az-c"],
  ]);
  assert.deepEqual(md.brokers.map((b) => b.port).sort(), [...ports].sort());
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
  for (const port of ports) {
    await assert.rejects(RawClient.connect(port), "no node is left listening");
  }
});

test("serve cluster: a bad --racks exits 2 and says what a rack list is", async () => {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", cli, "serve", "cluster", "--data", join(dir, "bad-racks"), "--racks", "a,,b"],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  let err = "";
  child.stderr?.on("data", (d) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  assert.equal(code, 2);
  assert.match(err, /--racks/);
});

test("serve proxy: the Toxiproxy client talks to it, and SIGTERM exits 0", async () => {
  const { child, ready, exited } = await serve(["proxy", "--port", "0"]);
  const api = new Toxiproxy(`http://127.0.0.1:${ready.ports.api}`);
  assert.match(await api.getVersion(), /\S/);
  const p = await api.createProxy({ name: "x", listen: "127.0.0.1:0", upstream: "127.0.0.1:9" });
  assert.equal(p.name, "x");
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
});

test("serve agent: an agent from a properties file answers on its source and its metrics port", async () => {
  const conf = join(dir, "a.properties");
  writeFileSync(
    conf,
    [
      "a1.sources = r1",
      "a1.channels = c1",
      "a1.sinks = k1",
      "a1.sources.r1.type = http",
      "a1.sources.r1.port = 0",
      "a1.sources.r1.channels = c1",
      "a1.channels.c1.type = memory",
      "a1.sinks.k1.type = http",
      "a1.sinks.k1.channel = c1",
      "a1.sinks.k1.endpoint = http://127.0.0.1:9/",
    ].join("\n"),
  );
  const { child, ready, exited } = await serve(["agent", "--config", conf, "--name", "a1"]);
  const res = await fetch(`http://127.0.0.1:${ready.ports.r1}/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([{ headers: {}, body: "x" }]),
  });
  assert.equal(res.status, 200);
  const metrics = (await (await fetch(`http://127.0.0.1:${ready.ports.metrics}/metrics`)).json()) as Record<
    string,
    Record<string, number>
  >;
  assert.equal(metrics["SOURCE.r1"]?.EventAcceptedCount, 1);
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
});
