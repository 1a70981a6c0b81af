/**
 * Topic configs through @platformatic/kafka 1.35.0's admin, which speaks the flexible versions
 * (DescribeConfigs v4, AlterConfigs v2, IncrementalAlterConfigs v1), against a broker process:
 * create with configs, describe, incremental set/delete, a whole-set alter, broker configs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from "@platformatic/kafka";
import { spawnBroker } from "./helpers/broker.ts";
import { defer, tempDir } from "./helpers/tmp.ts";

test("@platformatic/kafka admin: topic configs created, described, altered incrementally and whole", async (t) => {
  const broker = await spawnBroker(t, tempDir(t), { "min.insync.replicas": "1" });
  const admin = new Admin({ clientId: "pconfigs", bootstrapBrokers: [`127.0.0.1:${broker.port}`] });
  defer(t, () => admin.close());
  await admin.createTopics({
    topics: ["pc"],
    partitions: 1,
    replicas: 1,
    configs: [{ name: "retention.ms", value: "60000" }],
  });
  const describe = async () => {
    const [r] = await admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: "pc" }],
      includeSynonyms: true,
    });
    return Object.fromEntries(r!.configs.map((c) => [c.name, [c.value, c.configSource]]));
  };
  let d = await describe();
  assert.deepEqual(d["retention.ms"], ["60000", 1]);
  assert.deepEqual(d["min.insync.replicas"], ["1", 5]);

  await admin.incrementalAlterConfigs({
    resources: [
      {
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: "pc",
        configs: [
          {
            name: "min.insync.replicas",
            configOperation: IncrementalAlterConfigOperationTypes.SET,
            value: "2",
          },
          { name: "retention.ms", configOperation: IncrementalAlterConfigOperationTypes.DELETE },
        ],
      },
    ],
  });
  d = await describe();
  assert.deepEqual(d["min.insync.replicas"], ["2", 1]);
  assert.deepEqual(d["retention.ms"], ["604800000", 5]);

  await admin.alterConfigs({
    resources: [
      {
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: "pc",
        configs: [{ name: "segment.bytes", value: "4096" }],
      },
    ],
  });
  d = await describe();
  assert.deepEqual(d["segment.bytes"], ["4096", 1]);
  assert.deepEqual(d["min.insync.replicas"], ["1", 5], "AlterConfigs replaced the whole set");

  await assert.rejects(
    admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: "pc",
          configs: [
            { name: "nope.nope", configOperation: IncrementalAlterConfigOperationTypes.SET, value: "1" },
          ],
        },
      ],
    }),
    "an unknown config is refused",
  );

  const [b] = await admin.describeConfigs({
    resources: [
      { resourceType: ConfigResourceTypes.BROKER, resourceName: "1", configurationKeys: ["num.partitions"] },
    ],
  });
  assert.deepEqual(
    b!.configs.map((c) => [c.name, c.value]),
    [["num.partitions", "1"]],
  );
});
