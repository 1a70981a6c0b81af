/**
 * librdkafka (Debian's kcat) against a real 3-broker cluster: it produces with acks=all through
 * kill -9 of the partition leader (librdkafka follows the leader change by itself) and reads every
 * record back from the survivors.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { fastCluster, spawnCluster } from "../helpers/cluster.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

function kcat(
  args: string[],
  input?: string,
  timeoutMs = 30_000,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn("kcat", args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`kcat is not installed (apt-get install -y kcat): ${e.message}`));
    });
    p.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    p.stdin.end(input ?? "");
  });
}

test("kcat produces acks=all through kill -9 of the leader and consumes every record", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, fastCluster);
  const c = await RawClient.connect(cluster.nodes[0]!.port);
  defer(t, () => c.close());
  const created = (await c.request(ApiKey.CreateTopics, 3, {
    topics: [{ name: "kc", numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  })) as { topics: Array<{ errorCode: number }> };
  assert.equal(created.topics[0]!.errorCode, 0);
  const md = (await c.request(ApiKey.Metadata, 6, {
    topics: [{ name: "kc" }],
    allowAutoTopicCreation: false,
  })) as {
    topics: Array<{ partitions: Array<{ leaderId: number }> }>;
  };
  const leader = md.topics[0]!.partitions[0]!.leaderId;
  const bootstrap = cluster.bootstrap.join(",");
  const lines = (from: number, n: number) =>
    `${Array.from({ length: n }, (_, i) => `r-${from + i}`).join("\n")}\n`;

  let r = await kcat(["-b", bootstrap, "-P", "-t", "kc", "-X", "acks=all"], lines(0, 50));
  assert.equal(r.code, 0, r.err);
  await cluster.node(leader).stop("SIGKILL");
  r = await kcat(
    ["-b", bootstrap, "-P", "-t", "kc", "-X", "acks=all", "-X", "message.timeout.ms=20000"],
    lines(50, 50),
  );
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.err, /Delivery failed/);

  // -c 100, not -e: end-of-partition detection depends on how empty fetches are encoded (the clients work).
  r = await kcat(["-b", bootstrap, "-C", "-t", "kc", "-o", "beginning", "-c", "100", "-q"]);
  assert.equal(r.code, 0, r.err);
  const got = r.out.split("\n").filter((l) => l !== "");
  assert.deepEqual(
    got,
    Array.from({ length: 100 }, (_, i) => `r-${i}`),
  );
});
