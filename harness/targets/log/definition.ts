/**
 * `engine: log` — our pull-based partitioned log (engines/log), booted by the harness: its
 * scenario section, topology facts, extra analysis (per-partition order) and report wording.
 */

import { partitionOrderChecker } from "../../checkers/partition-order-checker.ts";
import { kafkaClientOptions, kafkaOrderAnalysis, kafkaRemoteClient } from "../kafka/definition-parts.ts";
import { checkProducerOptions, producerWorkloadFields } from "../kafka/producer-options.ts";
import type { TargetDefinition } from "../target.ts";
import { logFacts } from "./facts.ts";
import { replicaDivergenceChecker } from "./replica-divergence-checker.ts";
import { type LogTopology, logTopologySchema } from "./schema.ts";

export const logTarget: TargetDefinition<LogTopology> = {
  engine: "log",
  summary: "our pull-based partitioned log (Kafka protocol), brokers and consumers started by the harness",
  topology: logTopologySchema,
  workloadFields: ["acks", ...producerWorkloadFields],
  resolve(t, s, problem) {
    checkProducerOptions(s.workload, problem);
    if (t.replication > t.brokers) {
      problem(
        "topology.replication",
        `is ${t.replication} but there are ${t.brokers} broker(s); set it to at most brokers`,
      );
    }
    return t;
  },
  facts: logFacts,
  async create(ctx) {
    // Loaded when a run starts: validating or listing scenarios does not pay for kafkajs.
    const [{ LogTarget }, { KafkaClient }] = await Promise.all([
      import("./log-target.ts"),
      import("../kafka/kafka-client.ts"),
    ]);
    const target = new LogTarget(ctx);
    const client = new KafkaClient(() => target.bootstrap(), kafkaClientOptions(ctx.scenario));
    return { target, client };
  },
  remoteClient: kafkaRemoteClient,
  analyze: kafkaOrderAnalysis,
  checkers: [partitionOrderChecker, replicaDivergenceChecker],
  report: { backlogTitle: "Consumer lag" },
};
