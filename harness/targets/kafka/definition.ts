/**
 * `engine: kafka` — any Kafka-protocol cluster the user already runs (ours, `faultbench serve
 * log`, is the test target): network faults through the harness's proxy in front of each broker
 * that advertises it, node faults through the user's commands, consumers and producers as for
 * our log.
 */

import { partitionOrderChecker } from "../../checkers/partition-order-checker.ts";
import { parseHostPort } from "../../proxy/address.ts";
import { checkControl, checkLoopbackAddress } from "../command-node.ts";
import type { TargetDefinition } from "../target.ts";
import { kafkaClientOptions, kafkaOrderAnalysis, kafkaRemoteClient } from "./definition-parts.ts";
import { kafkaFacts } from "./facts.ts";
import { checkProducerOptions, producerWorkloadFields } from "./producer-options.ts";
import { type KafkaTopology, kafkaTopologySchema } from "./schema.ts";

export const kafkaTarget: TargetDefinition<KafkaTopology> = {
  engine: "kafka",
  summary: "an external Kafka-protocol cluster: faults through proxies it advertises and your node commands",
  topology: kafkaTopologySchema,
  workloadFields: ["acks", ...producerWorkloadFields],
  resolve(t, s, p) {
    t.bootstrap.split(",").forEach((b, i) => {
      if (!parseHostPort(b.trim()))
        p("topology.bootstrap", `entry ${i + 1} ("${b.trim()}") is not host:port`);
    });
    for (const [name, n] of Object.entries(t.nodes)) {
      if (n.proxy === undefined) continue;
      checkLoopbackAddress(`topology.nodes.${name}.proxy`, n.proxy, p);
      if (n.address === undefined)
        p(`topology.nodes.${name}.address`, "is required with proxy: where the proxy forwards to");
    }
    checkControl("topology.nodes", t.nodes, s, p);
    checkProducerOptions(s.workload, p);
    return t;
  },
  facts: kafkaFacts,
  async create(ctx) {
    const [{ ExternalKafkaTarget }, { KafkaClient }] = await Promise.all([
      import("./external-target.ts"),
      import("./kafka-client.ts"),
    ]);
    const target = new ExternalKafkaTarget(ctx);
    const client = new KafkaClient(() => target.bootstrap(), kafkaClientOptions(ctx.scenario));
    return { target, client };
  },
  remoteClient: kafkaRemoteClient,
  analyze: kafkaOrderAnalysis,
  checkers: [partitionOrderChecker],
  report: { backlogTitle: "Consumer lag" },
};
