import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { natsConf } from "../../../../harness/targets/nats/config.ts";
import { classifyNatsError, combineOutcomes } from "../../../../harness/targets/nats/producer.ts";
import { natsTopologySchema, subjectNames } from "../../../../harness/targets/nats/topology.ts";

describe("nats topology and config", () => {
  test("defaults: file storage, 4 partition subjects", () => {
    const t = natsTopologySchema.parse({});
    assert.deepEqual(t, { partitions: 4, storage: "file", ackWait: 5000, maxAckPending: 2000 });
    assert.deepEqual(subjectNames(t), ["faultbench.0", "faultbench.1", "faultbench.2", "faultbench.3"]);
    assert.equal(natsTopologySchema.safeParse({ storage: "disk" }).success, false);
  });

  test("the server listens on loopback with JetStream stored in the node's directory", () => {
    const conf = natsConf({ name: "nats-1", port: 4999, dataDir: "/tmp/x" });
    assert.match(conf, /listen: "127\.0\.0\.1:4999"/);
    assert.match(conf, /store_dir: "\/tmp\/x"/);
  });
});

describe("nats send outcomes", () => {
  test("no responders and JetStream errors are definite failures; timeouts are unknown", () => {
    assert.equal(classifyNatsError(Object.assign(new Error("503"), { code: "503" })).type, "fail");
    assert.equal(
      classifyNatsError(Object.assign(new Error("stream full"), { code: "400", api_error: {} })).type,
      "fail",
    );
    assert.equal(classifyNatsError(Object.assign(new Error("TIMEOUT"), { code: "TIMEOUT" })).type, "info");
  });

  test("a batch is ok only when every message is; all failed is fail; a mix is info", () => {
    const ok = { type: "ok" } as const;
    const fail = { type: "fail", error: "x" } as const;
    const info = { type: "info", error: "y" } as const;
    assert.deepEqual(combineOutcomes([ok, ok]), ok);
    assert.deepEqual(combineOutcomes([fail, fail]), fail);
    assert.equal(combineOutcomes([ok, fail]).type, "info");
    assert.equal(combineOutcomes([ok, info]).type, "info");
  });
});
