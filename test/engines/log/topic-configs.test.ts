import assert from "node:assert/strict";
import { test } from "node:test";
import { parseBrokerConfig } from "../../../engines/log/config.ts";
import {
  alterTopicConfigs,
  ConfigOp,
  describeTopicConfigs,
  topicMinIsr,
  topicUnclean,
  validateTopicConfigs,
} from "../../../engines/log/topic-configs.ts";

test("validateTopicConfigs canonicalises known keys and names the key and the rule when it refuses", () => {
  assert.deepEqual(
    validateTopicConfigs({
      "min.insync.replicas": "2",
      "unclean.leader.election.enable": "TRUE",
      "flush.ms": "Infinity",
    }),
    {
      ok: true,
      configs: {
        "min.insync.replicas": "2",
        "unclean.leader.election.enable": "true",
        "flush.ms": "9223372036854775807",
      },
    },
  );
  const unknown = validateTopicConfigs({ "min.insync.replicaz": "2" });
  assert.equal(unknown.ok, false);
  assert.match(
    !unknown.ok ? unknown.message : "",
    /unknown topic config min\.insync\.replicaz; known topic configs: .*min\.insync\.replicas/,
  );
  const zero = validateTopicConfigs({ "min.insync.replicas": "0" });
  assert.deepEqual(zero, {
    ok: false,
    message: "topic config min.insync.replicas: must be at least 1, got 0",
  });
  assert.equal(validateTopicConfigs({ "unclean.leader.election.enable": "yes" }).ok, false);
  assert.equal(validateTopicConfigs({ "segment.bytes": "100" }).ok, false);
  assert.equal(validateTopicConfigs({ "retention.ms": "1.5" }).ok, false);
});

test("topicMinIsr and topicUnclean: the topic's override, else the broker's value", () => {
  assert.equal(topicMinIsr(undefined, 2), 2);
  assert.equal(topicMinIsr({ "min.insync.replicas": "3" }, 2), 3);
  assert.equal(topicUnclean({}, true), true);
  assert.equal(topicUnclean({ "unclean.leader.election.enable": "false" }, true), false);
});

test("alterTopicConfigs: replace resets what it leaves out; incremental sets and deletes; lists ops refused", () => {
  const current = { "min.insync.replicas": "3", "retention.ms": "1000" };
  assert.deepEqual(
    alterTopicConfigs(current, "replace", [{ name: "retention.ms", op: ConfigOp.SET, value: "5" }]),
    {
      ok: true,
      configs: { "retention.ms": "5" },
    },
  );
  assert.deepEqual(
    alterTopicConfigs(current, "incremental", [
      { name: "min.insync.replicas", op: ConfigOp.DELETE, value: null },
      { name: "unclean.leader.election.enable", op: ConfigOp.SET, value: "true" },
    ]),
    { ok: true, configs: { "retention.ms": "1000", "unclean.leader.election.enable": "true" } },
  );
  const append = alterTopicConfigs(current, "incremental", [
    { name: "retention.ms", op: ConfigOp.APPEND, value: "1" },
  ]);
  assert.equal(append.ok ? 0 : append.errorCode, 40);
  const bad = alterTopicConfigs(current, "incremental", [
    { name: "min.insync.replicas", op: ConfigOp.SET, value: "-1" },
  ]);
  assert.equal(bad.ok ? 0 : bad.errorCode, 40);
  const twice = alterTopicConfigs(current, "incremental", [
    { name: "retention.ms", op: ConfigOp.SET, value: "1" },
    { name: "retention.ms", op: ConfigOp.DELETE, value: null },
  ]);
  assert.equal(twice.ok ? 0 : twice.errorCode, 42);
  // The input is not mutated (the controller computes against its live image).
  assert.deepEqual(current, { "min.insync.replicas": "3", "retention.ms": "1000" });
});

test("describeTopicConfigs: topic override (1), broker --set (4), built-in default (5), with synonyms", () => {
  const broker = parseBrokerConfig({ "min.insync.replicas": "2" });
  const d = describeTopicConfigs({ "retention.ms": "60000" }, broker, null, true);
  const by = Object.fromEntries(d.map((c) => [c.name, c]));
  assert.equal(by["retention.ms"]!.value, "60000");
  assert.equal(by["retention.ms"]!.configSource, 1);
  assert.deepEqual(by["retention.ms"]!.synonyms, [
    { name: "retention.ms", value: "60000", source: 1 },
    { name: "log.retention.ms", value: "604800000", source: 5 },
  ]);
  assert.equal(by["min.insync.replicas"]!.value, "2");
  assert.equal(by["min.insync.replicas"]!.configSource, 4);
  assert.equal(by["unclean.leader.election.enable"]!.isDefault, true);
  assert.deepEqual(
    describeTopicConfigs({}, broker, ["min.insync.replicas", "nonsense"], false).map((c) => [
      c.name,
      c.synonyms,
    ]),
    [["min.insync.replicas", []]],
  );
});
