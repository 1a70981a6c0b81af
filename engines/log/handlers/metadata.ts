/**
 * Metadata: this broker is every partition's leader, sole replica and ISR, and the controller.
 * Missing topics are auto-created (num.partitions) when the broker allows it and the client asks
 * for it (kafkajs producers rely on this); otherwise UNKNOWN_TOPIC_OR_PARTITION.
 */

import type { BrokerContext } from "../broker-context.ts";
import type { MetadataRequest, MetadataResponse } from "../protocol/apis/metadata.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { RequestHeader } from "../protocol/header.ts";
import { isValidTopicName } from "../storage/log-manager.ts";

export function handleMetadata(
  ctx: BrokerContext,
  req: MetadataRequest,
  header: RequestHeader,
): MetadataResponse {
  const all = req.topics === null || (header.apiVersion === 0 && req.topics.length === 0);
  const names = all ? ctx.logs.topicNames() : req.topics!.map((t) => t.name);
  const topics = names.map((name) => {
    let topic = ctx.logs.topic(name);
    if (!topic) {
      if (!isValidTopicName(name)) {
        return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, isInternal: false, partitions: [] };
      }
      if (!(ctx.config.autoCreateTopics && req.allowAutoTopicCreation)) {
        return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal: false, partitions: [] };
      }
      topic = ctx.logs.createTopic(name, ctx.config.numPartitions);
    }
    return {
      errorCode: 0,
      name,
      isInternal: false,
      partitions: topic.partitions.map((log, i) => ({
        errorCode: 0,
        partitionIndex: i,
        leaderId: ctx.nodeId,
        leaderEpoch: log.leaderEpoch,
        replicaNodes: [ctx.nodeId],
        isrNodes: [ctx.nodeId],
        offlineReplicas: [],
      })),
    };
  });
  return {
    throttleTimeMs: 0,
    brokers: [
      { nodeId: ctx.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort, rack: ctx.config.brokerRack },
    ],
    clusterId: ctx.config.clusterId,
    controllerId: ctx.nodeId,
    topics,
  };
}
