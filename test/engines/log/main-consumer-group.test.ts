/**
 * Consumer groups end to end through kafkajs against a real broker process: members leaving and
 * joining while data flows, and a member process killed outright (evicted by session timeout).
 * The check is the at-least-once contract: every produced value is consumed by someone.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { test } from "node:test";
import type { Consumer } from "kafkajs";
import { spawnBroker } from "./helpers/broker.ts";
import { kafkaFor, testConsumer, waitFor } from "./helpers/kafka.ts";
import { defer, tempDir } from "./helpers/tmp.ts";

const brokerConfig = {
  "group.initial.rebalance.delay.ms": "100",
  "group.min.session.timeout.ms": "1000",
  "num.partitions": "6",
};

test("a group of three with members leaving and joining consumes every message", async (t) => {
  const broker = await spawnBroker(t, tempDir(t), brokerConfig);
  const kafka = kafkaFor(broker.port);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "grp", numPartitions: 6 }] });
  await admin.disconnect();

  const seen = new Map<string, number>();
  const byMember = new Map<string, number>();
  const live = new Map<string, Consumer>();
  const start = async (name: string) => {
    const c = testConsumer(kafkaFor(broker.port, name), "storm");
    await c.connect();
    await c.subscribe({ topic: "grp", fromBeginning: true });
    await c.run({
      eachMessage: async ({ message }) => {
        const v = message.value!.toString();
        seen.set(v, (seen.get(v) ?? 0) + 1);
        byMember.set(name, (byMember.get(name) ?? 0) + 1);
      },
    });
    live.set(name, c);
  };
  const stop = async (name: string) => {
    await live.get(name)!.disconnect();
    live.delete(name);
  };
  defer(t, async () => {
    for (const c of live.values()) await c.disconnect();
  });

  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const total = 3000;
  let produced = 0;
  const produce = (async () => {
    while (produced < total) {
      const messages = Array.from({ length: 50 }, (_, i) => ({
        key: `k${produced + i}`,
        value: `m${produced + i}`,
      }));
      await producer.send({ topic: "grp", acks: -1, messages });
      produced += messages.length;
      await new Promise((r) => setTimeout(r, 40));
    }
  })();

  await Promise.all([start("c1"), start("c2"), start("c3")]);
  await waitFor(() => seen.size > 300, 15_000, "first messages");
  await stop("c2");
  await start("c4");
  await waitFor(() => seen.size > 1200, 15_000, "progress after c2 left and c4 joined");
  await Promise.all([stop("c1"), start("c5")]);
  await produce;
  await waitFor(() => seen.size === total, 20_000, `all ${total} values (have ${seen.size})`);
  for (let i = 0; i < total; i++) assert.ok(seen.has(`m${i}`), `m${i} lost`);
  // The group as kafkajs' admin sees it: stable, with the three live members and their hosts.
  const watcher = kafka.admin();
  await watcher.connect();
  defer(t, () => watcher.disconnect());
  await waitFor(
    async () => (await watcher.describeGroups(["storm"])).groups[0]!.state === "Stable",
    15_000,
    "group to be stable",
  );
  const described = (await watcher.describeGroups(["storm"])).groups[0]!;
  assert.equal(described.protocolType, "consumer");
  assert.equal(described.members.length, 3);
  assert.ok(described.members.every((m) => m.clientHost === "/127.0.0.1" && m.memberAssignment.length > 0));
  assert.deepEqual(
    (await watcher.listGroups()).groups.map((g) => g.groupId),
    ["storm"],
  );
  assert.ok((byMember.get("c4") ?? 0) > 0 && (byMember.get("c5") ?? 0) > 0, "new members got partitions");
});

test("a member killed with SIGKILL is evicted by session timeout and its partitions are taken over", async (t) => {
  const broker = await spawnBroker(t, tempDir(t), brokerConfig);
  const kafka = kafkaFor(broker.port);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "crash", numPartitions: 4 }] });
  await admin.disconnect();

  const childSeen = new Set<string>();
  let childJoins = 0;
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "test/engines/log/helpers/consumer-child.ts",
      String(broker.port),
      "crash",
      "crashers",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  defer(t, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  createInterface({ input: child.stdout! }).on("line", (l) => {
    if (l === "joined") childJoins++;
    else if (l.startsWith("msg ")) childSeen.add(l.slice(4));
  });
  await waitFor(() => childJoins > 0, 20_000, "child consumer to join");

  const seen = new Set<string>();
  const survivor = testConsumer(kafkaFor(broker.port, "survivor"), "crashers", 2000);
  await survivor.connect();
  defer(t, () => survivor.disconnect());
  await survivor.subscribe({ topic: "crash", fromBeginning: true });
  let survivorJoins = 0;
  survivor.on(survivor.events.GROUP_JOIN, () => survivorJoins++);
  await survivor.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
  await waitFor(() => survivorJoins > 0, 20_000, "survivor to join");

  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const send = async (from: number, n: number) => {
    for (let i = from; i < from + n; i += 20) {
      await producer.send({
        topic: "crash",
        acks: -1,
        messages: Array.from({ length: 20 }, (_, j) => ({ key: `k${i + j}`, value: `v${i + j}` })),
      });
    }
  };
  await send(0, 400);
  await waitFor(() => childSeen.size > 0 && seen.size > 0, 15_000, "both members consuming");
  child.kill("SIGKILL");
  const joinsBefore = survivorJoins;
  await send(400, 400);
  // The survivor takes over after the dead member's 2 s session expires.
  await waitFor(() => survivorJoins > joinsBefore, 15_000, "rebalance after the crash");
  await waitFor(
    () => {
      for (let i = 0; i < 800; i++) if (!seen.has(`v${i}`) && !childSeen.has(`v${i}`)) return false;
      return true;
    },
    20_000,
    "every value consumed by the survivor or the crashed member",
  );
  const after = [...Array(400).keys()].map((i) => `v${400 + i}`);
  assert.ok(
    after.every((v) => seen.has(v)),
    "everything produced after the crash reached the survivor",
  );
});
