/**
 * The state of one classic consumer group as the coordinator sees it. The coordinator never
 * interprets protocol metadata or assignments (the group leader computes assignments); it only
 * runs the join barrier, hands out generations and fences stale members.
 *
 *   Empty ──join──► PreparingRebalance ──all joined / rebalance timeout──► CompletingRebalance
 *     ▲                     ▲   ▲                                              │ leader SyncGroup
 *     └── last member gone ─┘   └──── join, leave, session expiry ◄── Stable ◄─┘
 */

import type { JoinGroupResponse } from "../protocol/apis/join-group.ts";
import type { SyncGroupResponse } from "../protocol/apis/sync-group.ts";

export type GroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable";

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  /** Client address, for DescribeGroups. */
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  /** Set while the member waits for the join barrier. */
  awaitingJoin?: (r: JoinGroupResponse) => void;
  /** Set while the member waits for the leader's assignment. */
  awaitingSync?: (r: SyncGroupResponse) => void;
  /** The member's assignment in the current generation. */
  assignment: Buffer;
  /** Last time (ms) the member showed it is alive (join, sync, heartbeat, commit). */
  lastSeen: number;
}

/**
 * What a group's durable record holds (Kafka's GroupMetadata value): its generation, protocol,
 * leader and members with their subscriptions and assignments, as of a completed rebalance. A new
 * coordinator loads it, so members of that generation keep heartbeating and committing there
 * instead of joining again as strangers.
 */
export interface GroupSnapshot {
  protocolType: string | null;
  protocolName: string | null;
  generationId: number;
  leaderId: string | null;
  members: Array<{
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    sessionTimeoutMs: number;
    rebalanceTimeoutMs: number;
    protocols: Array<{ name: string; metadata: Buffer }>;
    assignment: Buffer;
  }>;
}

export class Group {
  readonly id: string;
  state: GroupState = "Empty";
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, with their expiry time (ms). */
  readonly pendingMembers = new Map<string, number>();
  /** Timer completing the current join phase (initial delay or rebalance timeout). */
  joinTimer: NodeJS.Timeout | undefined;
  /** While true the join barrier may not complete yet (group.initial.rebalance.delay.ms). */
  inInitialDelay = false;
  /** A member arrived during the initial delay, so the delay is extended once more. */
  newMemberDuringDelay = false;
  /** Generation whose assignment is being written to the offsets log (−1: none). */
  storingGeneration = -1;

  constructor(id: string) {
    this.id = id;
  }

  /** Protocol names every member supports. */
  commonProtocols(): string[] {
    let common: string[] | undefined;
    for (const m of this.members.values()) {
      const names = m.protocols.map((p) => p.name);
      common = common === undefined ? names : common.filter((n) => names.includes(n));
    }
    return common ?? [];
  }

  /** Picks the group protocol: each member votes for its most preferred common protocol. */
  selectProtocol(): string | null {
    const common = this.commonProtocols();
    if (common.length === 0) return null;
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => common.includes(p.name))!.name;
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best = common[0]!;
    for (const name of common) if ((votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name;
    return best;
  }

  /** True when a joining member's protocols fit the group (type matches, a protocol in common). */
  supports(protocolType: string, protocols: Array<{ name: string }>): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    const common = this.commonProtocols();
    return protocols.some((p) => common.includes(p.name));
  }

  allJoined(): boolean {
    for (const m of this.members.values()) if (!m.awaitingJoin) return false;
    return true;
  }

  /** The group as its durable record holds it (members without their waiting requests). */
  snapshot(): GroupSnapshot {
    return {
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      generationId: this.generationId,
      leaderId: this.leaderId,
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        sessionTimeoutMs: m.sessionTimeoutMs,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        protocols: m.protocols,
        assignment: m.assignment,
      })),
    };
  }

  /**
   * A group loaded by a new coordinator: Stable with the record's members (each seen `now`, so
   * its session runs from the load, as Kafka schedules every loaded member's expiry), or Empty.
   */
  static restore(id: string, s: GroupSnapshot, now: number): Group {
    const g = new Group(id);
    g.generationId = s.generationId;
    g.protocolType = s.protocolType;
    g.protocolName = s.protocolName;
    g.leaderId = s.leaderId;
    for (const m of s.members) {
      g.members.set(m.memberId, { ...m, protocolType: s.protocolType ?? "", lastSeen: now });
    }
    g.state = g.members.size > 0 ? "Stable" : "Empty";
    return g;
  }
}
