/**
 * Classic group coordinator (JoinGroup / SyncGroup / Heartbeat / LeaveGroup / OffsetCommit /
 * OffsetFetch), following Kafka's GroupCoordinator rules:
 *  - v4+ joins with an empty member id get an id and MEMBER_ID_REQUIRED, then rejoin with it;
 *  - the join barrier completes when every known member has rejoined, or at the rebalance timeout
 *    (members that did not rejoin are removed); the first rebalance of an empty group waits
 *    `group.initial.rebalance.delay.ms`, extended while new members keep arriving;
 *  - the leader gets all members' metadata and sends the assignments in SyncGroup;
 *  - stale generations get ILLEGAL_GENERATION, unknown members UNKNOWN_MEMBER_ID, members of a
 *    rebalancing group REBALANCE_IN_PROGRESS on heartbeat;
 *  - members silent for their session timeout are evicted, which triggers a rebalance;
 *  - with a group store (a cluster's offsets partition), a rebalance completes only once the new
 *    generation with its assignments is durable (the SyncGroup answers wait for it, as Kafka's
 *    storeGroup), and a group that becomes Empty is recorded too; a new coordinator loads those
 *    records (`loadGroups`), so members keep their generation across a coordinator move.
 * Every waiting request is eventually answered: by the barrier, a timer, the member's removal, or
 * the group's unloading when this broker stops coordinating (NOT_COORDINATOR).
 * Offset storage itself lives in offset-commits.ts; the coordinator only decides who may commit.
 */

import { randomUUID } from "node:crypto";
import type { DescribedGroup } from "../protocol/apis/describe-groups.ts";
import type { HeartbeatResponse } from "../protocol/apis/heartbeat.ts";
import type { JoinGroupRequest, JoinGroupResponse } from "../protocol/apis/join-group.ts";
import type { LeaveGroupResponse } from "../protocol/apis/leave-group.ts";
import type { OffsetCommitRequest, OffsetCommitResponse } from "../protocol/apis/offset-commit.ts";
import type { OffsetFetchRequest, OffsetFetchResponse } from "../protocol/apis/offset-fetch.ts";
import type { SyncGroupRequest, SyncGroupResponse } from "../protocol/apis/sync-group.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { OffsetStore } from "../storage/offset-store.ts";
import { Group, type GroupSnapshot, type Member } from "./group.ts";
import { acceptCommit, type CommitEntry, commitOffsets, fetchOffsets } from "./offset-commits.ts";

export interface CoordinatorConfig {
  initialRebalanceDelayMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
}

export interface CoordinatorDeps {
  offsets: OffsetStore;
  /** Whether a topic partition exists (commits to unknown partitions are refused). */
  partitionExists: (topic: string, partition: number) => boolean;
  now?: () => number;
}

/** Writes a group's record durably; resolves with a protocol error code (0: stored). */
export type GroupStore = (groupId: string, snapshot: GroupSnapshot) => Promise<number>;

/** Largest delay setTimeout honours (longer ones would fire immediately). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const joinError = (errorCode: number, memberId = ""): JoinGroupResponse => ({
  throttleTimeMs: 0,
  errorCode,
  generationId: -1,
  protocolName: "",
  leader: "",
  memberId,
  members: [],
});

const syncReply = (errorCode: number, assignment: Buffer = Buffer.alloc(0)): SyncGroupResponse => ({
  throttleTimeMs: 0,
  errorCode,
  assignment,
});

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly deletions = new Map<string, number>();
  private readonly cfg: CoordinatorConfig;
  private readonly deps: CoordinatorDeps;
  private readonly now: () => number;
  private sweeper: NodeJS.Timeout | undefined;
  private store: GroupStore | undefined;

  constructor(cfg: CoordinatorConfig, deps: CoordinatorDeps) {
    this.cfg = cfg;
    this.deps = deps;
    this.now = deps.now ?? Date.now;
  }

  /** Starts the session-expiry sweep (every `intervalMs`). */
  start(intervalMs = 100): void {
    this.sweeper = setInterval(() => this.expireSessions(), intervalMs);
    this.sweeper.unref();
  }

  /** Stops timers and answers every waiting request so no connection hangs on shutdown. */
  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.release(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  }

  /** Rebalances complete only once `store` has the group's record (a cluster's offsets partition). */
  useStore(store: GroupStore): void {
    this.store = store;
  }

  /**
   * This broker stopped coordinating (Kafka's onGroupUnloaded): every group is forgotten and its
   * waiting joins and syncs are answered NOT_COORDINATOR, so members find the new coordinator.
   */
  unloadGroups(): void {
    this.release(ErrorCode.NOT_COORDINATOR);
    this.groups.clear();
  }

  /**
   * A new coordinator's groups, from the records in its offsets log: replaces every group held
   * (a broker coordinating again must not keep the memberships of its earlier term).
   */
  loadGroups(table: Map<string, GroupSnapshot>): void {
    this.unloadGroups();
    const now = this.now();
    for (const [id, s] of table) this.groups.set(id, Group.restore(id, s, now));
  }

  private release(errorCode: number): void {
    for (const g of this.groups.values()) {
      if (g.joinTimer) clearTimeout(g.joinTimer);
      g.joinTimer = undefined;
      for (const m of g.members.values()) {
        m.awaitingJoin?.(joinError(errorCode, m.memberId));
        m.awaitingSync?.(syncReply(errorCode));
        m.awaitingJoin = undefined;
        m.awaitingSync = undefined;
      }
    }
  }

  /** Inspection for tests and logs. */
  describe(groupId: string): {
    state: string;
    generationId: number;
    members: string[];
    leader: string | null;
  } {
    const g = this.groups.get(groupId);
    if (!g) return { state: "Dead", generationId: -1, members: [], leader: null };
    return {
      state: g.state,
      generationId: g.generationId,
      members: [...g.members.keys()],
      leader: g.leaderId,
    };
  }

  /**
   * DescribeGroups view of one group: members with their metadata and assignment once Stable
   * (empty blobs while a rebalance is under way, as Kafka reports them); unknown groups are Dead.
   */
  describeGroup(groupId: string): DescribedGroup {
    const g = this.groups.get(groupId);
    if (!g) {
      return { errorCode: 0, groupId, groupState: "Dead", protocolType: "", protocolData: "", members: [] };
    }
    const stable = g.state === "Stable";
    return {
      errorCode: 0,
      groupId,
      groupState: g.state,
      protocolType: g.protocolType ?? "",
      protocolData: stable ? (g.protocolName ?? "") : "",
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable
          ? (m.protocols.find((p) => p.name === g.protocolName)?.metadata ?? Buffer.alloc(0))
          : Buffer.alloc(0),
        memberAssignment: stable ? m.assignment : Buffer.alloc(0),
      })),
    };
  }

  /** Every known group with its protocol type (ListGroups). */
  listGroups(): Array<{ groupId: string; protocolType: string }> {
    return [...this.groups.values()].map((g) => ({ groupId: g.id, protocolType: g.protocolType ?? "" }));
  }

  private group(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (!g) {
      g = new Group(groupId);
      this.groups.set(groupId, g);
    }
    return g;
  }

  // ---- JoinGroup ----

  join(
    req: JoinGroupRequest,
    version: number,
    clientId: string,
    clientHost = "",
  ): JoinGroupResponse | Promise<JoinGroupResponse> {
    if (req.groupId === "") return joinError(ErrorCode.INVALID_GROUP_ID, req.memberId);
    if (
      req.sessionTimeoutMs < this.cfg.minSessionTimeoutMs ||
      req.sessionTimeoutMs > this.cfg.maxSessionTimeoutMs
    ) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId);
    }
    const g = this.group(req.groupId);
    if (!g.supports(req.protocolType, req.protocols)) {
      return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);
    }
    const now = this.now();
    const rebalanceTimeoutMs = req.rebalanceTimeoutMs >= 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs;
    if (req.memberId === "") {
      const memberId = `${clientId || "member"}-${randomUUID()}`;
      if (version >= 4) {
        g.pendingMembers.set(memberId, now + req.sessionTimeoutMs);
        return joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId);
      }
      return this.addMember(g, req, memberId, clientId, clientHost, rebalanceTimeoutMs);
    }
    if (g.pendingMembers.has(req.memberId)) {
      g.pendingMembers.delete(req.memberId);
      return this.addMember(g, req, req.memberId, clientId, clientHost, rebalanceTimeoutMs);
    }
    const m = g.members.get(req.memberId);
    if (!m) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    const sameMetadata =
      m.protocols.length === req.protocols.length &&
      m.protocols.every(
        (p, i) => p.name === req.protocols[i]!.name && p.metadata.equals(req.protocols[i]!.metadata),
      );
    m.protocols = req.protocols;
    m.sessionTimeoutMs = req.sessionTimeoutMs;
    m.rebalanceTimeoutMs = rebalanceTimeoutMs;
    m.lastSeen = now;
    if (
      (g.state === "Stable" || g.state === "CompletingRebalance") &&
      sameMetadata &&
      m.memberId !== g.leaderId
    ) {
      // A follower rejoining with unchanged metadata: hand it the current generation again.
      return this.joinResponseFor(g, m);
    }
    return new Promise((resolve) => {
      if (m.awaitingJoin) m.awaitingJoin(joinError(ErrorCode.REBALANCE_IN_PROGRESS, m.memberId));
      m.awaitingJoin = resolve;
      if (g.state === "PreparingRebalance") this.maybeCompleteJoin(g);
      else this.prepareRebalance(g);
    });
  }

  private addMember(
    g: Group,
    req: JoinGroupRequest,
    memberId: string,
    clientId: string,
    clientHost: string,
    rebalanceTimeoutMs: number,
  ): Promise<JoinGroupResponse> {
    return new Promise((resolve) => {
      const m: Member = {
        memberId,
        groupInstanceId: req.groupInstanceId,
        clientId,
        clientHost,
        sessionTimeoutMs: req.sessionTimeoutMs,
        rebalanceTimeoutMs,
        protocolType: req.protocolType,
        protocols: req.protocols,
        awaitingJoin: resolve,
        assignment: Buffer.alloc(0),
        lastSeen: this.now(),
      };
      if (g.members.size === 0) g.protocolType = req.protocolType;
      g.members.set(memberId, m);
      if (g.state === "PreparingRebalance") {
        if (g.inInitialDelay) g.newMemberDuringDelay = true;
        this.maybeCompleteJoin(g);
      } else this.prepareRebalance(g);
    });
  }

  /** Enters PreparingRebalance: pending syncs are told to rejoin, and the join timer is armed. */
  private prepareRebalance(g: Group): void {
    if (g.state === "CompletingRebalance") {
      for (const m of g.members.values()) {
        m.awaitingSync?.(syncReply(ErrorCode.REBALANCE_IN_PROGRESS));
        m.awaitingSync = undefined;
      }
    }
    const wasEmpty = g.state === "Empty";
    g.state = "PreparingRebalance";
    if (g.joinTimer) clearTimeout(g.joinTimer);
    let maxRebalance = 0;
    for (const m of g.members.values()) maxRebalance = Math.max(maxRebalance, m.rebalanceTimeoutMs);
    if (wasEmpty && this.cfg.initialRebalanceDelayMs > 0) {
      // First rebalance of an empty group: wait a little for the other members to arrive.
      g.inInitialDelay = true;
      g.newMemberDuringDelay = false;
      const deadline = this.now() + maxRebalance;
      const tick = () => {
        const remaining = deadline - this.now();
        if (g.newMemberDuringDelay && remaining > 0) {
          g.newMemberDuringDelay = false;
          g.joinTimer = setTimeout(tick, Math.min(this.cfg.initialRebalanceDelayMs, remaining));
          return;
        }
        g.inInitialDelay = false;
        g.joinTimer = undefined;
        this.maybeCompleteJoin(g);
        if (g.state === "PreparingRebalance" && !g.joinTimer) this.armRebalanceTimeout(g);
      };
      g.joinTimer = setTimeout(tick, Math.min(this.cfg.initialRebalanceDelayMs, maxRebalance, MAX_TIMER_MS));
      return;
    }
    g.inInitialDelay = false;
    this.armRebalanceTimeout(g);
    this.maybeCompleteJoin(g);
  }

  private armRebalanceTimeout(g: Group): void {
    let maxRebalance = 0;
    for (const m of g.members.values()) maxRebalance = Math.max(maxRebalance, m.rebalanceTimeoutMs);
    g.joinTimer = setTimeout(
      () => {
        g.joinTimer = undefined;
        this.completeJoin(g, true);
      },
      Math.min(maxRebalance, MAX_TIMER_MS),
    );
  }

  private maybeCompleteJoin(g: Group): void {
    if (g.state === "PreparingRebalance" && !g.inInitialDelay && g.allJoined()) this.completeJoin(g, false);
  }

  /** Closes the join barrier: new generation, protocol, leader; answers every waiting join. */
  private completeJoin(g: Group, timedOut: boolean): void {
    if (g.state !== "PreparingRebalance") return;
    if (g.joinTimer) clearTimeout(g.joinTimer);
    g.joinTimer = undefined;
    g.inInitialDelay = false;
    if (timedOut) {
      for (const m of [...g.members.values()]) if (!m.awaitingJoin) g.members.delete(m.memberId);
    }
    g.generationId++;
    if (g.members.size === 0) {
      g.state = "Empty";
      g.protocolName = null;
      g.protocolType = null;
      g.leaderId = null;
      // Recorded so a new coordinator does not restore the members that left (not waited for:
      // nobody is waiting, and a lost record only brings back members whose sessions expire).
      void this.store?.(g.id, g.snapshot());
      return;
    }
    g.protocolName = g.selectProtocol();
    if (g.leaderId === null || !g.members.has(g.leaderId)) g.leaderId = g.members.keys().next().value!;
    g.state = "CompletingRebalance";
    const now = this.now();
    for (const m of g.members.values()) {
      const reply = m.awaitingJoin!;
      m.awaitingJoin = undefined;
      m.assignment = Buffer.alloc(0);
      m.lastSeen = now;
      reply(this.joinResponseFor(g, m));
    }
  }

  private joinResponseFor(g: Group, m: Member): JoinGroupResponse {
    const isLeader = m.memberId === g.leaderId;
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: g.generationId,
      protocolName: g.protocolName ?? "",
      leader: g.leaderId ?? "",
      memberId: m.memberId,
      members: isLeader
        ? [...g.members.values()].map((x) => ({
            memberId: x.memberId,
            groupInstanceId: x.groupInstanceId,
            metadata: x.protocols.find((p) => p.name === g.protocolName)?.metadata ?? Buffer.alloc(0),
          }))
        : [],
    };
  }

  // ---- SyncGroup ----

  sync(req: SyncGroupRequest): SyncGroupResponse | Promise<SyncGroupResponse> {
    const g = this.groups.get(req.groupId);
    const m = g?.members.get(req.memberId);
    if (!g || !m) return syncReply(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== g.generationId) return syncReply(ErrorCode.ILLEGAL_GENERATION);
    m.lastSeen = this.now();
    switch (g.state) {
      case "PreparingRebalance":
        return syncReply(ErrorCode.REBALANCE_IN_PROGRESS);
      case "Stable":
        return syncReply(0, m.assignment);
      case "Empty":
        return syncReply(ErrorCode.UNKNOWN_MEMBER_ID);
      case "CompletingRebalance":
        return new Promise((resolve) => {
          m.awaitingSync?.(syncReply(ErrorCode.REBALANCE_IN_PROGRESS));
          m.awaitingSync = resolve;
          if (m.memberId !== g.leaderId || g.storingGeneration === g.generationId) return;
          const given = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
          for (const x of g.members.values()) x.assignment = given.get(x.memberId) ?? Buffer.alloc(0);
          if (!this.store) {
            this.stabilize(g);
            return;
          }
          const generation = g.generationId;
          g.storingGeneration = generation;
          void this.store(g.id, g.snapshot()).then((code) => {
            if (g.storingGeneration === generation) g.storingGeneration = -1;
            // Superseded meanwhile (a join, leave, expiry or unload): that answered the syncs.
            if (
              this.groups.get(g.id) !== g ||
              g.state !== "CompletingRebalance" ||
              g.generationId !== generation
            )
              return;
            if (code === 0) {
              this.stabilize(g);
              return;
            }
            // Kafka: the assignment is dropped, every waiting member gets the error, and the group
            // rebalances again.
            for (const x of g.members.values()) {
              x.assignment = Buffer.alloc(0);
              x.awaitingSync?.(syncReply(code));
              x.awaitingSync = undefined;
            }
            this.prepareRebalance(g);
          });
        });
    }
  }

  /** The rebalance is complete: Stable, and every waiting member gets its assignment. */
  private stabilize(g: Group): void {
    g.state = "Stable";
    for (const x of g.members.values()) {
      const reply = x.awaitingSync;
      x.awaitingSync = undefined;
      reply?.(syncReply(0, x.assignment));
    }
  }

  // ---- Heartbeat ----

  heartbeat(groupId: string, generationId: number, memberId: string): HeartbeatResponse {
    const reply = (errorCode: number) => ({ throttleTimeMs: 0, errorCode });
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (!g || !m) return reply(ErrorCode.UNKNOWN_MEMBER_ID);
    if (generationId !== g.generationId) return reply(ErrorCode.ILLEGAL_GENERATION);
    m.lastSeen = this.now();
    if (g.state === "PreparingRebalance") return reply(ErrorCode.REBALANCE_IN_PROGRESS);
    return reply(0);
  }

  // ---- LeaveGroup ----

  leave(groupId: string, memberIds: string[]): LeaveGroupResponse {
    const g = this.groups.get(groupId);
    const members = memberIds.map((memberId) => {
      if (g?.pendingMembers.delete(memberId)) return { memberId, groupInstanceId: null, errorCode: 0 };
      const m = g?.members.get(memberId);
      if (!g || !m) return { memberId, groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
      this.removeMember(g, m);
      return { memberId, groupInstanceId: null, errorCode: 0 };
    });
    const errorCode = !g ? ErrorCode.UNKNOWN_MEMBER_ID : 0;
    return { throttleTimeMs: 0, errorCode, members };
  }

  private removeMember(g: Group, m: Member): void {
    g.members.delete(m.memberId);
    m.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, m.memberId));
    m.awaitingSync?.(syncReply(ErrorCode.UNKNOWN_MEMBER_ID));
    m.awaitingJoin = undefined;
    m.awaitingSync = undefined;
    if (g.state === "Stable" || g.state === "CompletingRebalance") this.prepareRebalance(g);
    else if (g.state === "PreparingRebalance") this.maybeCompleteJoin(g);
  }

  /** Evicts members whose session timed out, and forgets unused MEMBER_ID_REQUIRED ids. */
  expireSessions(): void {
    const now = this.now();
    for (const g of this.groups.values()) {
      for (const [id, expiry] of g.pendingMembers) if (now > expiry) g.pendingMembers.delete(id);
      for (const m of [...g.members.values()]) {
        // A member parked in the join barrier is covered by the rebalance timeout instead.
        if (m.awaitingJoin) continue;
        if (now - m.lastSeen > m.sessionTimeoutMs) this.removeMember(g, m);
      }
    }
  }

  // ---- Offsets ----

  /**
   * Whether a commit from (generation, member) may be stored, as a protocol error code: simple
   * commits (generation −1, no member) only to groups without members; otherwise the member must
   * belong to the current generation, and not while the group waits for the leader's assignment.
   */
  checkCommit(groupId: string, generationId: number, memberId: string): number {
    if (groupId === "") return ErrorCode.INVALID_GROUP_ID;
    const g = this.groups.get(groupId);
    if (generationId < 0 && memberId === "" && (!g || g.members.size === 0)) return 0;
    const m = g?.members.get(memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (g.state === "CompletingRebalance") return ErrorCode.REBALANCE_IN_PROGRESS;
    // A commit shows the member is alive, like a heartbeat.
    m.lastSeen = this.now();
    return 0;
  }

  commitOffsets(req: OffsetCommitRequest): OffsetCommitResponse {
    return commitOffsets(this.deps, this.checkCommit(req.groupId, req.generationId, req.memberId), req);
  }

  /**
   * A cluster's commit in two steps: the answer and the offsets to replicate (nothing is stored),
   * then `applyCommit` once the offsets partition has them.
   */
  prepareCommit(req: OffsetCommitRequest): { response: OffsetCommitResponse; entries: CommitEntry[] } {
    return acceptCommit(
      this.deps.partitionExists,
      this.checkCommit(req.groupId, req.generationId, req.memberId),
      req,
    );
  }

  applyCommit(groupId: string, entries: CommitEntry[]): void {
    this.deps.offsets.commit(groupId, entries);
  }

  /** Replaces every committed offset (a new coordinator's table, loaded from the offsets log). */
  loadOffsets(table: Map<string, Iterable<CommitEntry>>): void {
    this.deps.offsets.replaceAll(table);
  }

  // ---- DeleteGroups ----

  /**
   * Whether a group may be deleted, as Kafka's coordinator decides: not while it has members
   * (NON_EMPTY_GROUP, 68); a group that is neither held nor has committed offsets is unknown
   * (GROUP_ID_NOT_FOUND, 69). Returns the committed offsets the deletion removes.
   */
  checkDelete(groupId: string): { errorCode: number; offsets: CommitEntry[] } {
    if (groupId === "") return { errorCode: ErrorCode.INVALID_GROUP_ID, offsets: [] };
    const g = this.groups.get(groupId);
    // Kafka deletes Empty groups only: one still rebalancing (even with its last member gone)
    // would record itself again when its join timer fires.
    if (g && (g.members.size > 0 || g.state !== "Empty"))
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, offsets: [] };
    const offsets = this.deps.offsets.forGroup(groupId);
    if (!g && offsets.length === 0) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, offsets: [] };
    return { errorCode: 0, offsets };
  }

  /**
   * Forgets the group and its committed offsets at once (Kafka's group goes Dead under its lock):
   * a JoinGroup after this starts a new group under the same id, a commit after it stands.
   */
  applyDelete(groupId: string, offsets: CommitEntry[]): void {
    const g = this.groups.get(groupId);
    if (g?.joinTimer) clearTimeout(g.joinTimer);
    this.groups.delete(groupId);
    this.deletions.set(groupId, this.deletionsOf(groupId) + 1);
    this.deps.offsets.commit(
      groupId,
      offsets.map((o) => ({ ...o, offset: -1, metadata: null })),
    );
  }

  /**
   * How many times the group was deleted here: a cluster commit read before a deletion and
   * replicated after it stays out of the table (in the log it precedes the tombstones).
   */
  deletionsOf(groupId: string): number {
    return this.deletions.get(groupId) ?? 0;
  }

  /** DeleteGroups on one broker: each group checked and, if it may go, deleted with its offsets. */
  deleteGroups(groupIds: string[]): Array<{ groupId: string; errorCode: number }> {
    return groupIds.map((groupId) => {
      const { errorCode, offsets } = this.checkDelete(groupId);
      if (errorCode === 0) this.applyDelete(groupId, offsets);
      return { groupId, errorCode };
    });
  }

  fetchOffsets(req: OffsetFetchRequest, version = 0): OffsetFetchResponse {
    return fetchOffsets(this.deps.offsets, req, version);
  }
}
