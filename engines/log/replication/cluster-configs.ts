/**
 * DescribeConfigs, AlterConfigs and IncrementalAlterConfigs in a cluster. Topic configs live in
 * the controller quorum's metadata image, so they survive controller failover and snapshots:
 * DescribeConfigs answers from this broker's copy of the image; the alters go to the active
 * controller (`broker.alterConfigs`), which computes and validates the new set against its image
 * and commits it, and answer once this broker's image holds the change (so the next produce
 * here already checks the new min.insync.replicas).
 */

import type { BrokerContext, Handler } from "../broker-context.ts";
import type { AlterTopicConfigsRequest } from "../controller/controller.ts";
import type { QuorumClient } from "../controller/quorum-client.ts";
import { alterMode, changesOf, describeConfigs, refuseNonTopic } from "../handlers/configs.ts";
import type { AlterConfigsRequest, AlterConfigsResponse } from "../protocol/apis/alter-configs.ts";
import { ConfigResourceType, type DescribeConfigsRequest } from "../protocol/apis/describe-configs.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { RequestHeader } from "../protocol/header.ts";
import { ApiKey } from "../protocol/registry.ts";
import type { ReplicaManager } from "./replica-manager.ts";

export function clusterConfigHandlers(rm: ReplicaManager, quorum: QuorumClient): Array<[number, Handler]> {
  const describe = (ctx: BrokerContext, req: DescribeConfigsRequest) =>
    describeConfigs(ctx, req, (name) => rm.image.topics[name]?.configs);

  const alter = async (
    _ctx: BrokerContext,
    req: AlterConfigsRequest,
    header: RequestHeader,
  ): Promise<AlterConfigsResponse> => {
    const mode = alterMode(header);
    const topics: AlterTopicConfigsRequest[] = req.resources
      .filter((r) => r.resourceType === ConfigResourceType.TOPIC)
      .map((r) => ({ name: r.resourceName, mode, changes: changesOf(r.configs, mode) }));
    let results: Array<{ name: string; errorCode: number; errorMessage: string | null }> = [];
    if (topics.length > 0) {
      try {
        const r = await quorum.call<{ topics: typeof results; version: number }>(
          "broker.alterConfigs",
          { topics, validateOnly: req.validateOnly },
          10_000,
          5000,
        );
        results = r.topics;
        await rm.waitForImage((i) => i.version >= r.version, 5000);
      } catch (e) {
        results = topics.map((t) => ({
          name: t.name,
          errorCode: ErrorCode.NOT_CONTROLLER,
          errorMessage: (e as Error).message,
        }));
      }
    }
    let i = 0;
    const responses = req.resources.map((r) => {
      if (r.resourceType !== ConfigResourceType.TOPIC) return refuseNonTopic(r);
      const res = results[i++]!;
      return {
        errorCode: res.errorCode,
        errorMessage: res.errorMessage,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      };
    });
    return { throttleTimeMs: 0, responses };
  };

  const h = <T>(f: (ctx: BrokerContext, req: T, header: RequestHeader) => unknown): Handler =>
    f as unknown as Handler;
  return [
    [ApiKey.DescribeConfigs, h(describe)],
    [ApiKey.AlterConfigs, h(alter)],
    [ApiKey.IncrementalAlterConfigs, h(alter)],
  ];
}
