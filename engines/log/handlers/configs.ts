/**
 * DescribeConfigs, AlterConfigs and IncrementalAlterConfigs on one broker. Topic configs live in
 * topics.json with the topic (storage/log-manager.ts); a change is applied to the partition logs
 * at once and to min.insync.replicas on the next produce. Broker settings come from the command
 * line (`--set`): they are described, and altering them is refused (INVALID_REQUEST), because
 * this broker has no dynamic broker configs. In a cluster the same answers come from the
 * controller's metadata image (replication/cluster-handlers.ts); the describing is shared here.
 */

import type { BrokerContext } from "../broker-context.ts";
import { brokerConfigValues, defaultBrokerConfig } from "../config.ts";
import type { AlterConfigsRequest, AlterConfigsResponse } from "../protocol/apis/alter-configs.ts";
import {
  ConfigResourceType,
  type DescribeConfigsRequest,
  type DescribeConfigsResponse,
} from "../protocol/apis/describe-configs.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { RequestHeader } from "../protocol/header.ts";
import { ApiKey } from "../protocol/registry.ts";
import {
  alterTopicConfigs,
  type ConfigChange,
  ConfigOp,
  ConfigSource,
  type DescribedConfig,
  describeTopicConfigs,
} from "../topic-configs.ts";

type Resource = DescribeConfigsRequest["resources"][number];
type Result = DescribeConfigsResponse["results"][number];

/** This broker's own settings (resource name = its node id). */
function describeBroker(ctx: BrokerContext, r: Resource, synonyms: boolean): Result {
  const base = { resourceType: r.resourceType, resourceName: r.resourceName };
  if (r.resourceName !== String(ctx.nodeId)) {
    return {
      ...base,
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `this is broker ${ctx.nodeId}: ask broker ${r.resourceName} for its configs`,
      configs: [],
    };
  }
  const values = brokerConfigValues(ctx.config);
  const defaults = brokerConfigValues(defaultBrokerConfig());
  const names = Object.keys(values)
    .sort()
    .filter((k) => r.configurationKeys === null || r.configurationKeys.includes(k));
  const configs = names.map((name): DescribedConfig => {
    const source =
      values[name] === defaults[name] ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG;
    return {
      name,
      value: values[name]!,
      readOnly: true,
      isDefault: source === ConfigSource.DEFAULT_CONFIG,
      configSource: source,
      isSensitive: false,
      synonyms: synonyms ? [{ name, value: values[name]!, source }] : [],
      configType: 0,
      documentation: null,
    };
  });
  return { ...base, errorCode: 0, errorMessage: null, configs };
}

/** DescribeConfigs against a way to look up a topic's configs (local topics.json or the image). */
export function describeConfigs(
  ctx: BrokerContext,
  req: DescribeConfigsRequest,
  topicConfigs: (name: string) => Record<string, string> | undefined,
): DescribeConfigsResponse {
  const results = req.resources.map((r): Result => {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    if (r.resourceType === ConfigResourceType.BROKER) return describeBroker(ctx, r, req.includeSynonyms);
    if (r.resourceType !== ConfigResourceType.TOPIC) {
      return {
        ...base,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `resource type ${r.resourceType} is not served (topics 2 and brokers 4 are)`,
        configs: [],
      };
    }
    const configs = topicConfigs(r.resourceName);
    if (!configs) {
      return {
        ...base,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: `topic ${r.resourceName} does not exist`,
        configs: [],
      };
    }
    return {
      ...base,
      errorCode: 0,
      errorMessage: null,
      configs: describeTopicConfigs(configs, ctx.config, r.configurationKeys, req.includeSynonyms),
    };
  });
  return { throttleTimeMs: 0, results };
}

/** AlterConfigs (replace) or IncrementalAlterConfigs, by the request's API key. */
export function alterMode(header: RequestHeader): "replace" | "incremental" {
  return header.apiKey === ApiKey.IncrementalAlterConfigs ? "incremental" : "replace";
}

/** A resource's entries as changes: AlterConfigs' entries are all SETs. */
export function changesOf(
  configs: AlterConfigsRequest["resources"][number]["configs"],
  mode: "replace" | "incremental",
): ConfigChange[] {
  return configs.map((c) => ({
    name: c.name,
    value: c.value,
    op: mode === "incremental" ? (c.configOperation ?? ConfigOp.SET) : ConfigOp.SET,
  }));
}

/** The answer for a resource that is not a topic: broker settings are static here. */
export function refuseNonTopic(
  r: AlterConfigsRequest["resources"][number],
): AlterConfigsResponse["responses"][number] {
  const base = { resourceType: r.resourceType, resourceName: r.resourceName };
  return r.resourceType === ConfigResourceType.BROKER
    ? {
        ...base,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: "broker configs are static: set them with --set key=value (topology.config) at start",
      }
    : {
        ...base,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `resource type ${r.resourceType} is not served (topics 2 are)`,
      };
}

export function handleDescribeConfigs(
  ctx: BrokerContext,
  req: DescribeConfigsRequest,
): DescribeConfigsResponse {
  return describeConfigs(ctx, req, (name) => ctx.logs.topic(name)?.meta.configs);
}

export function handleAlterConfigs(
  ctx: BrokerContext,
  req: AlterConfigsRequest,
  header: RequestHeader,
): AlterConfigsResponse {
  const mode = alterMode(header);
  const responses = req.resources.map((r) => {
    if (r.resourceType !== ConfigResourceType.TOPIC) return refuseNonTopic(r);
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    const topic = ctx.logs.topic(r.resourceName);
    if (!topic) {
      return {
        ...base,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: `topic ${r.resourceName} does not exist`,
      };
    }
    const next = alterTopicConfigs(topic.meta.configs, mode, changesOf(r.configs, mode));
    if (!next.ok) return { ...base, errorCode: next.errorCode, errorMessage: next.message };
    if (!req.validateOnly) ctx.logs.setTopicConfigs(r.resourceName, next.configs);
    return { ...base, errorCode: 0, errorMessage: null };
  });
  return { throttleTimeMs: 0, responses };
}
