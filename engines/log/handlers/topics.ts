/**
 * CreateTopics / DeleteTopics. One broker: replication factor must be 1 (or −1 = default), and
 * manual assignments may only name this broker. Topic configs are validated against the known
 * topic-level keys. Deleting a topic also forgets the offsets groups committed for it.
 */

import type { BrokerContext } from "../broker-context.ts";
import type { CreateTopicsRequest, CreateTopicsResponse } from "../protocol/apis/create-topics.ts";
import type { DeleteTopicsRequest, DeleteTopicsResponse } from "../protocol/apis/delete-topics.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { isValidTopicName } from "../storage/log-manager.ts";
import { createdTopicConfigs, validateTopicConfigs } from "../topic-configs.ts";

/** A sanity bound: each partition is a directory with open files. */
const MAX_PARTITIONS = 10_000;

export function handleCreateTopics(ctx: BrokerContext, req: CreateTopicsRequest): CreateTopicsResponse {
  const seen = new Map<string, number>();
  for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  const topics = req.topics.map((t) => {
    const fail = (errorCode: number, errorMessage: string) => ({ name: t.name, errorCode, errorMessage });
    if ((seen.get(t.name) ?? 0) > 1) return fail(ErrorCode.INVALID_REQUEST, "topic named more than once");
    if (!isValidTopicName(t.name)) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, "illegal topic name");
    if (ctx.logs.topic(t.name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${t.name} already exists`);
    let partitions = t.numPartitions === -1 ? ctx.config.numPartitions : t.numPartitions;
    const rf = t.replicationFactor === -1 ? ctx.config.defaultReplicationFactor : t.replicationFactor;
    if (t.assignments.length > 0) {
      if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
        return fail(
          ErrorCode.INVALID_REQUEST,
          "assignments given together with partitions/replication factor",
        );
      }
      const ok = t.assignments.every(
        (a, i) => a.partitionIndex === i && a.brokerIds.length === 1 && a.brokerIds[0] === ctx.nodeId,
      );
      if (!ok || t.assignments.length > MAX_PARTITIONS) {
        return fail(ErrorCode.INVALID_REPLICATION_FACTOR, "assignments must name only this broker");
      }
      partitions = t.assignments.length;
    } else {
      if (partitions < 1 || partitions > MAX_PARTITIONS) {
        return fail(ErrorCode.INVALID_PARTITIONS, `number of partitions must be in 1..${MAX_PARTITIONS}`);
      }
      if (rf < 1 || rf > 1) {
        return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `replication factor ${rf} but 1 broker available`);
      }
    }
    const given: Record<string, string> = {};
    for (const c of t.configs) if (c.value !== null) given[c.name] = c.value;
    const configs = validateTopicConfigs(given);
    if (!configs.ok) return fail(ErrorCode.INVALID_CONFIG, configs.message);
    if (!req.validateOnly) ctx.logs.createTopic(t.name, partitions, configs.configs);
    return {
      name: t.name,
      errorCode: 0,
      errorMessage: null,
      numPartitions: partitions,
      replicationFactor: 1,
      configs: createdTopicConfigs(configs.configs, ctx.config),
    };
  });
  return { throttleTimeMs: 0, topics };
}

export function handleDeleteTopics(ctx: BrokerContext, req: DeleteTopicsRequest): DeleteTopicsResponse {
  return {
    throttleTimeMs: 0,
    responses: req.topicNames.map((name) => {
      if (!ctx.logs.deleteTopic(name)) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      ctx.offsets.deleteTopic(name);
      return { name, errorCode: 0 };
    }),
  };
}
