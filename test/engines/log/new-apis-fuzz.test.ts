/**
 * Hostile input for every API version added for librdkafka and @platformatic/kafka (flexible
 * versions, InitProducerId, Produce v0–2), against a broker process: each request truncated at
 * many points, inflated by a huge array count or compact length, sent over the frame limit, and
 * sent with a version above the advertised range. Each must cost only its own connection; a
 * well-behaved client on another connection keeps being answered, and the process stays up.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeRequest } from "../../../engines/log/protocol/header.ts";
import { schemaFor } from "../../../engines/log/protocol/registry.ts";
import { RawClient } from "../../../engines/log/tools/raw-client.ts";
import { spawnBroker } from "./helpers/broker.ts";
import { newSamples } from "./helpers/samples.ts";
import { defer, tempDir } from "./helpers/tmp.ts";

const MAX_FRAME = 65536;

/** Sends raw bytes on a fresh connection; resolves with what happened within 200 ms. */
async function poke(port: number, bytes: Buffer): Promise<"answered" | "closed" | "silent"> {
  const c = await RawClient.connect(port);
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve("silent"), 200);
      c.socket.once("data", () => {
        clearTimeout(timer);
        resolve("answered");
      });
      c.socket.once("close", () => {
        clearTimeout(timer);
        resolve("closed");
      });
      c.writeRaw(bytes);
    });
  } finally {
    c.close();
  }
}

/** A frame whose size prefix matches `payload`. */
const framed = (payload: Buffer) => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
};

test("truncated, inflated, oversized and wrong-version requests of every new API cost only their connection", async (t) => {
  const broker = await spawnBroker(t, tempDir(t), {
    "socket.request.max.bytes": String(MAX_FRAME),
    "group.min.session.timeout.ms": "10",
    "group.initial.rebalance.delay.ms": "0",
  });
  const healthy = await RawClient.connect(broker.port);
  defer(t, () => healthy.close());
  const stillServed = async (what: string) => {
    const md = (await healthy.request(3, 9, {
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    })) as { brokers: unknown[] };
    assert.equal(md.brokers.length, 1, `healthy connection answered after ${what}`);
  };
  await healthy.request(3, 9, {
    topics: [{ name: "fz" }],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });

  for (const [i, s] of newSamples.entries()) {
    const name = `${schemaFor(s.apiKey)!.name} v${s.apiVersion}`;
    const whole = encodeRequest(
      { apiKey: s.apiKey, apiVersion: s.apiVersion, correlationId: i, clientId: "fz" },
      s.body,
    );
    const payload = whole.subarray(4);
    // The intact request is answered (or, for acks=0 or a parked join, at least not refused).
    assert.notEqual(await poke(broker.port, whole), "closed", `${name} intact`);
    // Truncated bodies (the header stays whole so the API is known): a decode error, this connection only.
    const headerBytes = 2 + 2 + 4 + 2 + 2; // key, version, correlation id, client id "fz"
    const cuts = new Set<number>();
    for (let k = 0; k < 12; k++)
      cuts.add(headerBytes + Math.floor((k / 12) * (payload.length - headerBytes)));
    for (const cut of cuts) {
      if (cut >= payload.length) continue;
      const outcome = await poke(broker.port, framed(payload.subarray(0, cut)));
      assert.notEqual(outcome, "answered", `${name} cut at ${cut}/${payload.length} must not be answered`);
    }
    // Inflated: 0xff over the first bytes of the body at several places, so some count or length
    // claims far more than the frame holds (any answer is fine; a crash or a stall is not).
    for (let at = headerBytes; at < Math.min(payload.length, headerBytes + 24); at += 3) {
      const inflated = Buffer.from(payload);
      inflated.fill(0xff, at, Math.min(at + 4, inflated.length));
      await poke(broker.port, framed(inflated));
    }
    // Over the frame limit: closed before any of it is buffered.
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(MAX_FRAME + 1);
    assert.equal(await poke(broker.port, Buffer.concat([huge, payload])), "closed", `${name} oversized`);
    // A version above the advertised range.
    const wrong = Buffer.from(whole);
    wrong.writeInt16BE(schemaFor(s.apiKey)!.versions[1] + 1, 6);
    assert.equal(await poke(broker.port, wrong), "closed", `${name} unsupported version`);
    await stillServed(name);
  }
  assert.equal(broker.proc.exitCode, null, "the broker process is still running");
  assert.doesNotMatch(broker.stderr(), /TypeError|RangeError|Uncaught/);
});
