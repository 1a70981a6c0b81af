import assert from "node:assert/strict";
import { describe, test } from "node:test";
import kafkajs from "kafkajs";
import { classifyKafkaError } from "../../../../harness/targets/kafka/kafka-errors.ts";

// kafkajs spreads its errors into module.exports, which Node's CJS named-export detection misses.
const {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} = kafkajs;

/** An error-like object as kafkajs shapes them. */
function like(name: string, message: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { name }, extra);
}

describe("classifyKafkaError on kafkajs-shaped errors", () => {
  test("a refused connection never sent anything: fail", () => {
    const e = like("KafkaJSConnectionError", "Connection error: connect ECONNREFUSED 127.0.0.1:9092", {
      code: "ECONNREFUSED",
    });
    assert.deepEqual(classifyKafkaError(e), {
      type: "fail",
      error: "KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:9092",
    });
    const na = like("KafkaJSConnectionError", "Connection error: connect EADDRNOTAVAIL 127.0.0.1:1");
    assert.equal(classifyKafkaError(na).type, "fail");
  });

  test("other connection errors (closed by the server, timeout, reset) may have been written: info", () => {
    for (const msg of [
      "Connection closed by the server",
      "Connection timeout",
      "Connection error: read ECONNRESET",
    ]) {
      assert.deepEqual(classifyKafkaError(like("KafkaJSConnectionError", msg)), {
        type: "info",
        error: `KafkaJSConnectionError: ${msg}`,
      });
    }
  });

  test("a protocol error the broker rejected with is fail; one that may follow an append is info", () => {
    const notLeader = like("KafkaJSProtocolError", "This server is not the leader for that topic-partition", {
      type: "NOT_LEADER_FOR_PARTITION",
      code: 6,
    });
    assert.deepEqual(classifyKafkaError(notLeader), {
      type: "fail",
      error: "KafkaJSProtocolError: This server is not the leader for that topic-partition",
    });
    for (const type of [
      "REQUEST_TIMED_OUT",
      "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
      "NETWORK_EXCEPTION",
      "UNKNOWN_SERVER_ERROR",
    ]) {
      assert.equal(classifyKafkaError(like("KafkaJSProtocolError", "x", { type })).type, "info", type);
    }
    for (const type of [
      "MESSAGE_TOO_LARGE",
      "UNKNOWN_TOPIC_OR_PARTITION",
      "CORRUPT_MESSAGE",
      "NOT_ENOUGH_REPLICAS",
    ]) {
      assert.equal(classifyKafkaError(like("KafkaJSProtocolError", "x", { type })).type, "fail", type);
    }
  });

  test("a request timeout is info", () => {
    const e = like("KafkaJSRequestTimeoutError", "Request Produce(key: 0, version: 7) timed out");
    assert.deepEqual(classifyKafkaError(e), {
      type: "info",
      error: "KafkaJSRequestTimeoutError: Request Produce(key: 0, version: 7) timed out",
    });
  });

  test("a retries-exceeded wrapper is classified by the error it wraps (originalError or cause)", () => {
    const refused = like("KafkaJSConnectionError", "Connection error: connect ECONNREFUSED 127.0.0.1:9092");
    const viaOriginal = like("KafkaJSNumberOfRetriesExceeded", "wrapper", { originalError: refused });
    assert.deepEqual(classifyKafkaError(viaOriginal), {
      type: "fail",
      error: "KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:9092",
    });
    const timedOut = like("KafkaJSProtocolError", "The request timed out", { type: "REQUEST_TIMED_OUT" });
    const viaCause = like("KafkaJSNumberOfRetriesExceeded", "wrapper", { cause: timedOut });
    assert.equal(classifyKafkaError(viaCause).type, "info");
    const notLeader = like("KafkaJSProtocolError", "not leader", { type: "NOT_LEADER_FOR_PARTITION" });
    const nested = like("KafkaJSNonRetriableError", "outer", {
      cause: like("KafkaJSNumberOfRetriesExceeded", "middle", { cause: notLeader }),
    });
    assert.deepEqual(classifyKafkaError(nested), { type: "fail", error: "KafkaJSProtocolError: not leader" });
  });

  test("a non-retriable error saying ECONNREFUSED is fail; anything unknown is info, first line only", () => {
    assert.equal(classifyKafkaError(like("KafkaJSNonRetriableError", "connect ECONNREFUSED")).type, "fail");
    assert.deepEqual(classifyKafkaError(new Error("something odd\n  at stack")), {
      type: "info",
      error: "Error: something odd",
    });
    assert.deepEqual(classifyKafkaError("boom"), { type: "info", error: "Error: boom" });
    assert.equal(classifyKafkaError(undefined).type, "info");
    assert.equal(classifyKafkaError(null).type, "info");
  });
});

describe("classifyKafkaError on kafkajs's own error classes", () => {
  const refused = () =>
    new KafkaJSConnectionError("Connection error: connect ECONNREFUSED 127.0.0.1:9092", {
      broker: "127.0.0.1:9092",
      code: "ECONNREFUSED",
    });

  test("connection refused, and retries exceeded over it, are fail", () => {
    assert.equal(classifyKafkaError(refused()).type, "fail");
    const retried = new KafkaJSNumberOfRetriesExceeded(refused(), { retryCount: 5, retryTime: 1000 });
    assert.deepEqual(classifyKafkaError(retried), {
      type: "fail",
      error: "KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:9092",
    });
    const nonRetriable = Object.assign(new KafkaJSNonRetriableError(retried), { cause: retried });
    assert.equal(classifyKafkaError(nonRetriable).type, "fail");
  });

  test("protocol errors by type, and request timeouts", () => {
    const notLeader = new KafkaJSProtocolError(
      Object.assign(new Error("This server is not the leader for that topic-partition"), {
        type: "NOT_LEADER_FOR_PARTITION",
        code: 6,
        retriable: true,
      }),
    );
    assert.equal(notLeader.type, "NOT_LEADER_FOR_PARTITION");
    assert.equal(classifyKafkaError(notLeader).type, "fail");
    const timedOut = new KafkaJSProtocolError(
      Object.assign(new Error("The request timed out"), {
        type: "REQUEST_TIMED_OUT",
        code: 7,
        retriable: true,
      }),
    );
    assert.equal(classifyKafkaError(timedOut).type, "info");
    assert.equal(
      classifyKafkaError(new KafkaJSNumberOfRetriesExceeded(timedOut, { retryCount: 5, retryTime: 10 })).type,
      "info",
    );
    assert.equal(
      classifyKafkaError(new KafkaJSRequestTimeoutError("Request Produce timed out")).type,
      "info",
    );
  });
});
