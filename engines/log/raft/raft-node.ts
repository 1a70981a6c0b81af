/**
 * One member of the controller quorum, running Raft (Ongaro & Ousterhout): followers wait for a
 * leader's appends and start an election after a randomised timeout; a candidate needs a
 * majority of votes and only votes for logs at least as up to date as its own; the leader
 * replicates its log, and an entry of its own term is committed once a majority stores it, which
 * commits everything before it. Committed entries are applied in order on every member, so any
 * member that wins an election already holds the whole metadata state.
 *
 * Peers are reached over the internal RPC (rpc/rpc.ts); every call has a timeout, so a partitioned
 * peer slows nothing down. A new leader appends a no-op to commit earlier terms' entries.
 */

import { RpcClient } from "../rpc/rpc.ts";
import { type RaftEntry, RaftStorage } from "./raft-storage.ts";

export interface RaftOptions {
  id: number;
  /** Every voter, this one included: id → host:port of its controller listener. */
  voters: Map<number, { host: string; port: number }>;
  dataDir: string;
  electionTimeoutMs: number;
  heartbeatMs: number;
  apply: (cmd: unknown, index: number) => void;
  log: (msg: string) => void;
  onRoleChange?: (leader: boolean) => void;
}

type Role = "follower" | "candidate" | "leader";

interface VoteReq {
  term: number;
  candidateId: number;
  lastLogIndex: number;
  lastLogTerm: number;
}
interface AppendReq {
  term: number;
  leaderId: number;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: RaftEntry[];
  leaderCommit: number;
}

export class NotLeaderError extends Error {
  constructor(readonly leaderId: number | null) {
    super(`not the active controller (leader: ${leaderId ?? "unknown"})`);
  }
}

export class RaftNode {
  readonly id: number;
  role: Role = "follower";
  leaderId: number | null = null;
  commitIndex = 0;
  lastApplied = 0;
  private readonly store: RaftStorage;
  private readonly peers = new Map<number, RpcClient>();
  private readonly nextIndex = new Map<number, number>();
  private readonly matchIndex = new Map<number, number>();
  private readonly inFlight = new Set<number>();
  private electionTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private stopped = false;

  constructor(private readonly opts: RaftOptions) {
    this.id = opts.id;
    this.store = new RaftStorage(opts.dataDir);
    for (const [id, addr] of opts.voters)
      if (id !== this.id) this.peers.set(id, new RpcClient(addr.host, addr.port));
  }

  get term(): number {
    return this.store.term;
  }

  get isLeader(): boolean {
    return this.role === "leader";
  }

  private get majority(): number {
    return Math.floor(this.opts.voters.size / 2) + 1;
  }

  start(): void {
    this.resetElectionTimer();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.electionTimer);
    clearInterval(this.heartbeatTimer);
    for (const p of this.peers.values()) p.close();
    for (const w of this.waiters.values()) w.reject(new NotLeaderError(null));
    this.waiters.clear();
    this.store.close();
  }

  private resetElectionTimer(): void {
    clearTimeout(this.electionTimer);
    if (this.stopped) return;
    const t = this.opts.electionTimeoutMs * (1 + Math.random());
    this.electionTimer = setTimeout(() => void this.startElection(), t);
  }

  private becomeFollower(term: number, leaderId: number | null): void {
    const wasLeader = this.role === "leader";
    if (term > this.store.term) this.store.saveState(term, null);
    this.role = "follower";
    this.leaderId = leaderId;
    clearInterval(this.heartbeatTimer);
    this.resetElectionTimer();
    if (wasLeader) {
      for (const w of this.waiters.values()) w.reject(new NotLeaderError(leaderId));
      this.waiters.clear();
      this.opts.onRoleChange?.(false);
    }
  }

  private async startElection(): Promise<void> {
    if (this.stopped || this.role === "leader") return;
    this.role = "candidate";
    this.leaderId = null;
    const term = this.store.term + 1;
    this.store.saveState(term, this.id);
    this.resetElectionTimer();
    let votes = 1;
    const req: VoteReq = {
      term,
      candidateId: this.id,
      lastLogIndex: this.store.lastIndex,
      lastLogTerm: this.store.termAt(this.store.lastIndex),
    };
    if (votes >= this.majority) return this.becomeLeader();
    for (const [id, peer] of this.peers) {
      peer
        .call<{ term: number; granted: boolean }>(
          "raft.vote",
          req as unknown as Record<string, unknown>,
          this.opts.electionTimeoutMs,
        )
        .then(
          (r) => {
            if (r.term > this.store.term) return this.becomeFollower(r.term, null);
            if (this.role !== "candidate" || this.store.term !== term || !r.granted) return;
            votes++;
            if (votes >= this.majority) this.becomeLeader();
          },
          () => {
            void id;
          },
        );
    }
  }

  private becomeLeader(): void {
    if (this.role === "leader") return;
    this.role = "leader";
    this.leaderId = this.id;
    clearTimeout(this.electionTimer);
    this.opts.log(`controller ${this.id} is the active controller (term ${this.store.term})`);
    for (const id of this.peers.keys()) {
      this.nextIndex.set(id, this.store.lastIndex + 1);
      this.matchIndex.set(id, 0);
    }
    this.store.append([{ term: this.store.term, cmd: { type: "noop" } }]);
    this.advanceCommit();
    this.heartbeatTimer = setInterval(() => this.replicateAll(), this.opts.heartbeatMs);
    this.replicateAll();
    this.opts.onRoleChange?.(true);
  }

  private replicateAll(): void {
    for (const id of this.peers.keys()) this.replicateTo(id);
  }

  private replicateTo(id: number): void {
    if (this.role !== "leader" || this.inFlight.has(id)) return;
    const peer = this.peers.get(id)!;
    const next = this.nextIndex.get(id) ?? this.store.lastIndex + 1;
    const prev = next - 1;
    const entries = this.store.entries.slice(prev, prev + 500);
    const term = this.store.term;
    const req: AppendReq = {
      term,
      leaderId: this.id,
      prevLogIndex: prev,
      prevLogTerm: this.store.termAt(prev),
      entries,
      leaderCommit: this.commitIndex,
    };
    this.inFlight.add(id);
    peer
      .call<{ term: number; success: boolean; matchIndex: number }>(
        "raft.append",
        req as unknown as Record<string, unknown>,
        Math.max(this.opts.electionTimeoutMs, 500),
      )
      .then(
        (r) => {
          this.inFlight.delete(id);
          if (r.term > this.store.term) return this.becomeFollower(r.term, null);
          if (this.role !== "leader" || term !== this.store.term) return;
          if (r.success) {
            this.matchIndex.set(id, r.matchIndex);
            this.nextIndex.set(id, r.matchIndex + 1);
            this.advanceCommit();
            if (r.matchIndex < this.store.lastIndex) this.replicateTo(id);
          } else {
            // Walk back to the follower's hint (its last index) or one step.
            this.nextIndex.set(id, Math.max(1, Math.min(next - 1, r.matchIndex + 1)));
            this.replicateTo(id);
          }
        },
        () => this.inFlight.delete(id),
      );
  }

  private advanceCommit(): void {
    const indexes = [this.store.lastIndex, ...this.matchIndex.values()].sort((a, b) => b - a);
    const n = indexes[this.majority - 1] ?? 0;
    // Only entries of the current term are committed by counting (Raft §5.4.2).
    if (n > this.commitIndex && this.store.termAt(n) === this.store.term) {
      this.commitIndex = n;
      this.applyCommitted();
    }
  }

  private applyCommitted(): void {
    while (this.lastApplied < this.commitIndex) {
      this.lastApplied++;
      const e = this.store.entries[this.lastApplied - 1]!;
      try {
        this.opts.apply(e.cmd, this.lastApplied);
      } catch (err) {
        this.opts.log(`applying entry ${this.lastApplied} failed: ${(err as Error).message}`);
      }
      const w = this.waiters.get(this.lastApplied);
      if (w) {
        this.waiters.delete(this.lastApplied);
        w.resolve();
      }
    }
  }

  /** Appends a command; resolves once it is committed and applied here. Leader only. */
  propose(cmd: unknown): Promise<void> {
    if (this.role !== "leader") return Promise.reject(new NotLeaderError(this.leaderId));
    this.store.append([{ term: this.store.term, cmd }]);
    const index = this.store.lastIndex;
    const p = new Promise<void>((resolve, reject) => this.waiters.set(index, { resolve, reject }));
    this.advanceCommit();
    this.replicateAll();
    return p;
  }

  /** RPC entry points from peers. */
  handle(method: string, params: Record<string, unknown>): unknown {
    if (method === "raft.vote") return this.onVote(params as unknown as VoteReq);
    if (method === "raft.append") return this.onAppend(params as unknown as AppendReq);
    throw new Error(`unknown raft method ${method}`);
  }

  private onVote(req: VoteReq): { term: number; granted: boolean } {
    if (req.term > this.store.term) this.becomeFollower(req.term, null);
    const lastTerm = this.store.termAt(this.store.lastIndex);
    const upToDate =
      req.lastLogTerm > lastTerm ||
      (req.lastLogTerm === lastTerm && req.lastLogIndex >= this.store.lastIndex);
    const free = this.store.votedFor === null || this.store.votedFor === req.candidateId;
    const granted = req.term === this.store.term && free && upToDate;
    if (granted) {
      this.store.saveState(req.term, req.candidateId);
      this.resetElectionTimer();
    }
    return { term: this.store.term, granted };
  }

  private onAppend(req: AppendReq): { term: number; success: boolean; matchIndex: number } {
    if (req.term < this.store.term)
      return { term: this.store.term, success: false, matchIndex: this.store.lastIndex };
    if (req.term > this.store.term || this.role !== "follower" || this.leaderId !== req.leaderId) {
      this.becomeFollower(req.term, req.leaderId);
    } else {
      this.resetElectionTimer();
    }
    if (req.prevLogIndex > this.store.lastIndex || this.store.termAt(req.prevLogIndex) !== req.prevLogTerm) {
      const hint = Math.min(this.store.lastIndex, req.prevLogIndex - 1);
      return { term: this.store.term, success: false, matchIndex: Math.max(0, hint) };
    }
    let i = 0;
    for (; i < req.entries.length; i++) {
      const index = req.prevLogIndex + 1 + i;
      if (index > this.store.lastIndex) break;
      if (this.store.termAt(index) !== req.entries[i]!.term) {
        if (index <= this.commitIndex) throw new Error("raft: leader tried to overwrite a committed entry");
        this.store.truncateFrom(index);
        break;
      }
    }
    this.store.append(req.entries.slice(i));
    const match = req.prevLogIndex + req.entries.length;
    if (req.leaderCommit > this.commitIndex) {
      this.commitIndex = Math.min(req.leaderCommit, match);
      this.applyCommitted();
    }
    return { term: this.store.term, success: true, matchIndex: match };
  }
}
