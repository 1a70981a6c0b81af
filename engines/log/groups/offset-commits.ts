/**
 * OffsetCommit and OffsetFetch against the durable offset store. Whether a commit is allowed at
 * all (generation, membership) is the coordinator's decision and arrives here as an error code;
 * this module answers per partition and stores the accepted offsets in one write.
 */

import type { OffsetCommitRequest, OffsetCommitResponse } from "../protocol/apis/offset-commit.ts";
import type {
  OffsetFetchRequest,
  OffsetFetchResponse,
  OffsetFetchTopics,
  OffsetFetchTopicsResponse,
} from "../protocol/apis/offset-fetch.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { OffsetStore } from "../storage/offset-store.ts";

export interface OffsetDeps {
  offsets: OffsetStore;
  partitionExists: (topic: string, partition: number) => boolean;
}

export type CommitEntry = { topic: string; partition: number; offset: number; metadata: string | null };

/**
 * The answer to an OffsetCommit and the offsets it would store (none unless `groupError` is 0;
 * unknown partitions are refused one by one), without storing them: a cluster stores them only
 * once they are replicated.
 */
export function acceptCommit(
  partitionExists: OffsetDeps["partitionExists"],
  groupError: number,
  req: OffsetCommitRequest,
): { response: OffsetCommitResponse; entries: CommitEntry[] } {
  if (groupError !== 0) {
    return {
      entries: [],
      response: {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: groupError })),
        })),
      },
    };
  }
  const entries: CommitEntry[] = [];
  const response: OffsetCommitResponse = {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        if (!partitionExists(t.name, p.partitionIndex)) {
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        }
        if (p.committedOffset >= 0) {
          entries.push({
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            metadata: p.committedMetadata,
          });
        }
        return { partitionIndex: p.partitionIndex, errorCode: 0 };
      }),
    })),
  };
  return { response, entries };
}

/** Stores the commit if `groupError` is 0; unknown partitions are refused one by one. */
export function commitOffsets(
  deps: OffsetDeps,
  groupError: number,
  req: OffsetCommitRequest,
): OffsetCommitResponse {
  const { response, entries } = acceptCommit(deps.partitionExists, groupError, req);
  deps.offsets.commit(req.groupId, entries);
  return response;
}

/**
 * Committed offsets, −1 (with no error) where nothing was committed; null topics = all of them.
 * v8+ asks for several groups at once (`groups`); earlier versions for one (`groupId`, `topics`).
 */
export function fetchOffsets(store: OffsetStore, req: OffsetFetchRequest, version = 0): OffsetFetchResponse {
  if (version >= 8) {
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      topics: [],
      groups: req.groups.map((g) => ({
        groupId: g.groupId,
        topics: groupOffsets(store, g.groupId, g.topics),
        errorCode: 0,
      })),
    };
  }
  return { throttleTimeMs: 0, errorCode: 0, topics: groupOffsets(store, req.groupId, req.topics) };
}

function groupOffsets(
  store: OffsetStore,
  groupId: string,
  asked: OffsetFetchTopics,
): OffsetFetchTopicsResponse {
  let topics: Array<{ name: string; partitionIndexes: number[] }>;
  if (asked === null) {
    const byTopic = new Map<string, number[]>();
    for (const c of store.forGroup(groupId))
      byTopic.set(c.topic, [...(byTopic.get(c.topic) ?? []), c.partition]);
    topics = [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
  } else topics = asked;
  return topics.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((p) => {
      const c = store.get(groupId, t.name, p);
      return {
        partitionIndex: p,
        committedOffset: c?.offset ?? -1,
        metadata: c?.metadata ?? "",
        errorCode: 0,
      };
    }),
  }));
}
