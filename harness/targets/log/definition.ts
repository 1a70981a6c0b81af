/**
 * `engine: log` — our pull-based partitioned log (engines/log), booted by the harness: its
 * scenario section, topology facts, extra analysis (per-partition order, leadership at the end) and
 * report wording.
 */

import {
  topicConfigDefs,
  topicConfigNames,
  validateTopicConfigs,
} from "../../../engines/log/topic-configs.ts";
import { partitionOrderChecker } from "../../checkers/partition-order-checker.ts";
import { kafkaClientOptions, kafkaOrderAnalysis, kafkaRemoteClient } from "../kafka/definition-parts.ts";
import { checkProducerOptions, producerWorkloadFields } from "../kafka/producer-options.ts";
import type { TargetDefinition } from "../target.ts";
import { logFacts } from "./facts.ts";
import { leadershipFigures } from "./leadership.ts";
import { replicaDivergenceChecker } from "./replica-divergence-checker.ts";
import { type LogTopology, logTopologySchema } from "./schema.ts";

/** `topology.topicConfig`: the broker's own rules, so a typo fails at load (exit 2), not at topic creation. */
function checkTopicConfig(t: LogTopology, problem: (path: string, msg: string) => void): void {
  for (const [k, v] of Object.entries(t.topicConfig)) {
    const r = validateTopicConfigs({ [k]: String(v) });
    if (!r.ok) {
      problem(
        `topology.topicConfig.${k}`,
        topicConfigDefs[k]
          ? `${r.message.replace(`topic config ${k}: `, "")}; fix the value`
          : `is not a topic config; use one of ${topicConfigNames.join(", ")} (broker-wide settings go in topology.config)`,
      );
    }
  }
  const minIsr = t.topicConfig["min.insync.replicas"];
  if (minIsr !== undefined && Number(minIsr) > t.replication) {
    problem(
      "topology.topicConfig.min.insync.replicas",
      `is ${minIsr} but the topic has ${t.replication} replica(s): every acks=all write would fail with NOT_ENOUGH_REPLICAS; set it to at most topology.replication`,
    );
  }
}

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
    if (t.initialBrokers !== undefined && t.initialBrokers > t.brokers)
      problem(
        "topology.initialBrokers",
        `is ${t.initialBrokers} but there are ${t.brokers} broker(s); set it to at most brokers`,
      );
    else if (t.initialBrokers !== undefined && t.initialBrokers < t.replication)
      problem(
        "topology.initialBrokers",
        `is ${t.initialBrokers} but each partition needs ${t.replication} replicas on distinct brokers; set it to at least topology.replication`,
      );
    (s.faults ?? []).forEach((f, i) => {
      if (f.kind !== "reassign") return;
      f.partitions?.forEach((p, j) => {
        if (p >= t.partitions)
          problem(
            `faults[${i}].partitions[${j}]`,
            `partition ${p} does not exist: the topic has ${t.partitions} (0–${t.partitions - 1})`,
          );
      });
    });
    checkTopicConfig(t, problem);
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
  analyze: (ops) => {
    const leadership = leadershipFigures(ops);
    return { ...kafkaOrderAnalysis(ops), ...(leadership ? { leadership } : {}) };
  },
  checkers: [partitionOrderChecker, replicaDivergenceChecker],
  report: { backlogTitle: "Consumer lag" },
};
