/**
 * The group coordinator of a cluster is the leader of the offsets partition (`__consumer_offsets`
 * partition 0), as in Kafka. This module ties the coordinator's offsets table to that replica:
 *  - on becoming leader (each new leader epoch, as soon as the metadata image says so) the table
 *    is reloaded from the replica's log, in chunks off the request path; until it is loaded the
 *    group APIs answer
 *    COORDINATOR_LOAD_IN_PROGRESS (14), and a broker that does not lead answers NOT_COORDINATOR (16);
 *  - an OffsetCommit is validated by the coordinator (generation, member, partitions), appended as
 *    one batch and answered once the high watermark passes it (acks=all, the topic's
 *    min.insync.replicas); only then does the table (OffsetFetch) see it. Append errors map to the
 *    codes Kafka's coordinator gives: NOT_ENOUGH_REPLICAS(_AFTER_APPEND) and a timeout to
 *    COORDINATOR_NOT_AVAILABLE (15), lost leadership to NOT_COORDINATOR (16), a batch too large to
 *    INVALID_COMMIT_OFFSET_SIZE (28);
 *  - the group records (generation, members, assignments) are kept the same way: the coordinator
 *    appends one when a rebalance completes (the SyncGroup answers wait for the HW to pass it,
 *    errors mapped as for commits) or a group becomes Empty, a new leader loads them with the
 *    offsets, and a broker that loses the leadership drops its groups (waiting joins and syncs get
 *    NOT_COORDINATOR) — Kafka's GroupMetadata records, so a coordinator move costs members their
 *    coordinator's address, not their generation;
 *  - DeleteGroups: a group without members is forgotten at once (a JoinGroup after that starts a
 *    new group) and its deletion appended as one batch (tombstones for its offsets and for its
 *    group record); the answer waits for the HW to pass it, errors mapped as for commits;
 *  - offsets of a topic the metadata image no longer has (deleted) are removed, as Kafka's
 *    coordinator does: tombstones appended to the log and the entries dropped from the table, once
 *    loaded and after every image the broker applies (a coordinator that dies before its tombstones
 *    are replicated is covered by its successor, which checks again after loading).
 */

import type { OffsetCommitRequest, OffsetCommitResponse } from "../protocol/apis/offset-commit.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { PartitionReplica } from "../replication/partition-replica.ts";
import type { OffsetStore } from "../storage/offset-store.ts";
import type { GroupCoordinator } from "./coordinator.ts";
import type { GroupSnapshot } from "./group.ts";
import { encodeCommit, encodeGroup, encodeGroupDeletion, loadCommits } from "./offsets-log.ts";

export type CoordinatorStatus = "ready" | "loading" | "not-coordinator";

export interface OffsetsPartitionDeps {
  /** This broker's replica of the offsets partition, if it has one. */
  replica: () => PartitionReplica | undefined;
  groups: GroupCoordinator;
  /** The coordinator's table (the store `groups` reads). */
  offsets: OffsetStore;
  /** Whether the broker's metadata image has the topic. */
  topicExists: (topic: string) => boolean;
  /** min.insync.replicas of the offsets topic. */
  minIsr: () => number;
  commitTimeoutMs: number;
  log: (msg: string) => void;
}

export class OffsetsPartition {
  /** Leader epoch whose load finished (the table is this leadership's); −1: none. */
  private loadedEpoch = -1;
  /** Leader epoch whose load is under way. */
  private loadingEpoch = -1;

  constructor(private readonly deps: OffsetsPartitionDeps) {
    deps.groups.useStore((group, snapshot) => this.storeGroup(group, snapshot));
  }

  /** Whether this broker coordinates groups now; starts loading on a new leadership. */
  status(): CoordinatorStatus {
    const r = this.deps.replica();
    if (r?.role !== "leader") return "not-coordinator";
    if (this.loadedEpoch === r.leaderEpoch) return "ready";
    if (this.loadingEpoch !== r.leaderEpoch) void this.load(r, r.leaderEpoch);
    return "loading";
  }

  private async load(r: PartitionReplica, epoch: number): Promise<void> {
    this.loadingEpoch = epoch;
    const t0 = Date.now();
    const stillWanted = () => r.role === "leader" && r.leaderEpoch === epoch && this.loadingEpoch === epoch;
    try {
      const groups = new Map<string, GroupSnapshot>();
      const table = await loadCommits(r.log, stillWanted, undefined, groups);
      if (!table || !stillWanted()) return;
      this.deps.groups.loadOffsets(new Map([...table].map(([g, m]) => [g, m.values()])));
      this.deps.groups.loadGroups(groups);
      this.loadedEpoch = epoch;
      this.forgetDeletedTopics();
      let n = 0;
      for (const g of table.values()) n += g.size;
      let members = 0;
      for (const g of groups.values()) members += g.members.length;
      this.deps.log(
        `group coordinator at epoch ${epoch}: loaded ${n} committed offsets of ${table.size} groups ` +
          `and ${groups.size} group records (${members} members) ` +
          `from the offsets log [${r.log.logStartOffset}, ${r.log.logEndOffset}) in ${Date.now() - t0} ms`,
      );
    } catch (e) {
      this.deps.log(
        `group coordinator at epoch ${epoch}: loading the offsets log failed: ${(e as Error).message}`,
      );
    } finally {
      if (this.loadingEpoch === epoch) this.loadingEpoch = -1;
    }
  }

  /**
   * After each metadata image: a leadership this broker lost (or left for a newer epoch) takes its
   * groups with it (Kafka's onGroupUnloaded); a new one starts loading at once (Kafka's
   * onGroupImmigration), not on the first group request, so clients that find the new coordinator
   * are rarely told COORDINATOR_LOAD_IN_PROGRESS (kafkajs 2.2.4 restarts a consumer whose
   * JoinGroup gets it); then offsets of deleted topics are removed.
   */
  onImageApplied(): void {
    const r = this.deps.replica();
    if (this.loadedEpoch >= 0 && (r?.role !== "leader" || r.leaderEpoch !== this.loadedEpoch)) {
      this.loadedEpoch = -1;
      this.deps.groups.unloadGroups();
    }
    if (r?.role === "leader") this.status();
    this.forgetDeletedTopics();
  }

  /** Appends a group's record and resolves once the HW passes it, with the error code of a commit. */
  async storeGroup(group: string, snapshot: GroupSnapshot): Promise<number> {
    const r = this.deps.replica();
    if (r?.role !== "leader" || this.loadedEpoch !== r.leaderEpoch) return ErrorCode.NOT_COORDINATOR;
    if (r.state.isr.length < this.deps.minIsr()) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const a = r.log.append(encodeGroup(group, snapshot));
    // Kafka answers a group record it cannot write (too large) with UNKNOWN_SERVER_ERROR.
    if (a.errorCode !== 0 || !("baseOffset" in a))
      return a.errorCode === ErrorCode.MESSAGE_TOO_LARGE
        ? ErrorCode.UNKNOWN_SERVER_ERROR
        : ErrorCode.COORDINATOR_NOT_AVAILABLE;
    r.notifyAppend();
    r.maybeAdvanceHighWatermark();
    const code = await r.waitForHighWatermark(a.lastOffset, this.deps.commitTimeoutMs);
    if (code === ErrorCode.NOT_LEADER_OR_FOLLOWER) return ErrorCode.NOT_COORDINATOR;
    return code === 0 ? 0 : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  /** Removes the committed offsets of topics the image no longer has (only once loaded). */
  forgetDeletedTopics(): void {
    const r = this.deps.replica();
    if (r?.role !== "leader" || this.loadedEpoch !== r.leaderEpoch) return;
    for (const [group, gone] of this.deps.offsets.entriesWhere((t) => !this.deps.topicExists(t))) {
      const tombstones = gone.map((e) => ({ ...e, offset: -1, metadata: null }));
      // Not waited for: if this leader dies before the followers have them, its successor finds
      // the same topics missing after loading and writes them again.
      const a = r.log.append(encodeCommit(group, tombstones));
      if (a.errorCode === 0) {
        r.notifyAppend();
        r.maybeAdvanceHighWatermark();
      }
      this.deps.offsets.commit(group, tombstones);
    }
  }

  /** DeleteGroups on the coordinator (status() was "ready"), group by group. */
  deleteGroups(groupIds: string[]): Promise<Array<{ groupId: string; errorCode: number }>> {
    return Promise.all(groupIds.map((groupId) => this.deleteGroup(groupId)));
  }

  private async deleteGroup(groupId: string): Promise<{ groupId: string; errorCode: number }> {
    const answer = (errorCode: number) => ({ groupId, errorCode });
    const { errorCode, offsets } = this.deps.groups.checkDelete(groupId);
    if (errorCode !== 0) return answer(errorCode);
    const r = this.deps.replica();
    if (r?.role !== "leader" || this.loadedEpoch !== r.leaderEpoch) return answer(ErrorCode.NOT_COORDINATOR);
    if (r.state.isr.length < this.deps.minIsr()) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const a = r.log.append(encodeGroupDeletion(groupId, offsets));
    if (a.errorCode !== 0 || !("baseOffset" in a)) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    // Forgotten before the answer, as Kafka's group goes Dead at once: if this leader dies before
    // the followers have the batch, the successor still holds the group and the client, answered
    // with an error or not at all, deletes it again.
    this.deps.groups.applyDelete(groupId, offsets);
    r.notifyAppend();
    r.maybeAdvanceHighWatermark();
    const code = await r.waitForHighWatermark(a.lastOffset, this.deps.commitTimeoutMs);
    if (code === ErrorCode.NOT_LEADER_OR_FOLLOWER) return answer(ErrorCode.NOT_COORDINATOR);
    return answer(code === 0 ? 0 : ErrorCode.COORDINATOR_NOT_AVAILABLE);
  }

  /** OffsetCommit on the coordinator (status() was "ready"): validate, replicate, then store. */
  async commit(req: OffsetCommitRequest): Promise<OffsetCommitResponse> {
    const { response, entries } = this.deps.groups.prepareCommit(req);
    if (entries.length === 0) return response;
    const fail = (code: number) => {
      for (const t of response.topics)
        for (const p of t.partitions) if (p.errorCode === 0) p.errorCode = code;
      return response;
    };
    const r = this.deps.replica();
    if (r?.role !== "leader" || this.loadedEpoch !== r.leaderEpoch) return fail(ErrorCode.NOT_COORDINATOR);
    if (r.state.isr.length < this.deps.minIsr()) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const deletions = this.deps.groups.deletionsOf(req.groupId);
    const a = r.log.append(encodeCommit(req.groupId, entries));
    if (a.errorCode !== 0 || !("baseOffset" in a)) {
      return fail(
        a.errorCode === ErrorCode.MESSAGE_TOO_LARGE
          ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE
          : ErrorCode.COORDINATOR_NOT_AVAILABLE,
      );
    }
    r.notifyAppend();
    r.maybeAdvanceHighWatermark();
    const code = await r.waitForHighWatermark(a.lastOffset, this.deps.commitTimeoutMs);
    if (code === ErrorCode.NOT_LEADER_OR_FOLLOWER) return fail(ErrorCode.NOT_COORDINATOR);
    if (code !== 0) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    // A DeleteGroups since the append came after it in the log: its tombstones win there, and here.
    if (this.deps.groups.deletionsOf(req.groupId) === deletions)
      this.deps.groups.applyCommit(req.groupId, entries);
    return response;
  }
}
