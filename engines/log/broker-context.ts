/**
 * What request handlers share: this node's identity and advertised address, the config, the
 * logs, the committed offsets and the group coordinator. Handlers are plain functions of
 * (context, request) → response, so they can be tested without sockets.
 */

import type { BrokerConfig } from "./config.ts";
import type { GroupCoordinator } from "./groups/coordinator.ts";
import type { RequestHeader } from "./protocol/header.ts";
import type { LogManager } from "./storage/log-manager.ts";
import type { OffsetStore } from "./storage/offset-store.ts";
import type { ProducerIds } from "./storage/producer-ids.ts";

export interface BrokerContext {
  nodeId: number;
  /** Host and port clients are told to connect to (a fault proxy may sit in between). */
  advertisedHost: string;
  advertisedPort: number;
  config: BrokerConfig;
  logs: LogManager;
  offsets: OffsetStore;
  groups: GroupCoordinator;
  /** Producer ids for idempotent producers (InitProducerId). */
  producerIds: ProducerIds;
  /** In a cluster: handlers that replace the single-broker ones (replication/cluster-handlers.ts). */
  clusterHandlers?: ReadonlyMap<number, Handler>;
}

/** A response body, a promise of one (long poll, join barrier), or null for "send nothing". */
export type HandlerResult = Record<string, unknown> | Promise<Record<string, unknown>> | null;

/** What a handler may know about the connection a request came in on. */
export interface ConnectionInfo {
  /** Client address as Kafka reports it in DescribeGroups ("/127.0.0.1"). */
  clientHost: string;
}

export type Handler = (
  ctx: BrokerContext,
  body: Record<string, unknown>,
  header: RequestHeader,
  conn: ConnectionInfo,
) => HandlerResult;
