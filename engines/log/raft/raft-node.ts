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
 *
 * Log compaction (Raft §7, KRaft's metadata snapshots): after enough applied entries or bytes
 * since the last snapshot, a member stores its state machine's image at its last applied index and
 * drops the log up to it, so a restart loads the snapshot and replays only the tail. A follower
 * that needs entries the leader has already dropped gets the leader's snapshot instead
 * (InstallSnapshot, `raft.snapshot`, sent in chunks) and continues from the entry after it.
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
  /** Snapshots of the applied state; without them the log is kept (and replayed) whole. */
  snapshots?: SnapshotOptions;
}

export interface SnapshotOptions {
  /** Serialises the state machine's image as of the last applied entry. */
  take: () => string;
  /** Replaces the state machine's image by a snapshot's (at start, or one sent by the leader). */
  restore: (data: string, index: number) => void;
  /** A snapshot is taken once this many entries were applied since the last one... */
  maxEntries: number;
  /** ...or once their log lines add up to this many bytes. */
  maxBytes: number;
  /** InstallSnapshot sends the snapshot in chunks of this many characters (default 256 Ki). */
  chunkChars?: number;
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
interface SnapshotReq {
  term: number;
  leaderId: number;
  /** Last index and term the snapshot covers. */
  lastIndex: number;
  lastTerm: number;
  /** Position of `data` in the snapshot's text; `done` on the last chunk. */
  offset: number;
  data: string;
  done: boolean;
}
/** `offset`: the position the follower expects next; `matchIndex`: set once it holds the snapshot. */
interface SnapshotResp {
  term: number;
  offset: number;
  matchIndex: number | null;
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
  /** Index of the no-op this node appended on becoming leader. */
  private termStartIndex = Number.POSITIVE_INFINITY;
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
  /** Snapshot transfers in progress, leader side: the snapshot being sent to a peer and how far. */
  private readonly outgoing = new Map<
    number,
    { index: number; term: number; data: string; offset: number }
  >();
  /** The snapshot being received, follower side. */
  private readonly announced = new Map<number, number>();
  private incoming: { index: number; term: number; chunks: string[]; length: number } | null = null;
  /** Applied entries (and their log bytes) since the last snapshot. */
  private sinceSnapshot = { entries: 0, bytes: 0 };
  /** Snapshots this member took itself, and received from a leader, since it started. */
  snapshotsTaken = 0;
  snapshotsInstalled = 0;

  constructor(private readonly opts: RaftOptions) {
    this.id = opts.id;
    this.store = new RaftStorage(opts.dataDir);
    const snap = this.store.snapshot;
    if (snap) {
      if (!opts.snapshots) throw new Error(`raft: ${opts.dataDir} holds a snapshot but snapshots are off`);
      // Everything up to the snapshot was committed and applied before it was taken.
      opts.snapshots.restore(snap.data, snap.index);
      this.commitIndex = snap.index;
      this.lastApplied = snap.index;
    }
    for (const [id, addr] of opts.voters)
      if (id !== this.id) this.peers.set(id, new RpcClient(addr.host, addr.port));
  }

  /** Last index covered by this member's snapshot (0 without one); its log starts after it. */
  get snapshotIndex(): number {
    return this.store.snapshotIndex;
  }

  /** Index of this member's last log entry (or of its snapshot when the log after it is empty). */
  get lastIndex(): number {
    return this.store.lastIndex;
  }

  get term(): number {
    return this.store.term;
  }

  get isLeader(): boolean {
    return this.role === "leader";
  }

  /**
   * Leader whose state machine has applied everything committed before its term (its term's
   * no-op is applied, Raft §8): only then is the state it decides on current. A fresh leader may
   * hold committed entries it has not applied yet, because it learns the commit index only by
   * committing an entry of its own term.
   */
  get isCaughtUpLeader(): boolean {
    return this.role === "leader" && this.lastApplied >= this.termStartIndex;
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
    this.outgoing.clear();
    for (const id of this.peers.keys()) {
      this.nextIndex.set(id, this.store.lastIndex + 1);
      this.matchIndex.set(id, 0);
    }
    this.store.append([{ term: this.store.term, cmd: { type: "noop" } }]);
    this.termStartIndex = this.store.lastIndex;
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
    // The entries this peer needs next were compacted away: it gets the snapshot instead.
    if (next <= this.store.snapshotIndex) {
      this.sendSnapshot(id);
      return;
    }
    this.outgoing.delete(id);
    const prev = next - 1;
    const entries = this.store.entriesFrom(next, 500);
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

  /** Sends the next chunk of the current snapshot to `id` (InstallSnapshot). */
  private sendSnapshot(id: number): void {
    const snap = this.store.snapshot!;
    let t = this.outgoing.get(id);
    // A transfer under way finishes with the snapshot it started with, even if a newer one was
    // taken meanwhile (the peer then needs the newer one too, but never chases a moving target).
    if (!t) {
      t = { index: snap.index, term: snap.term, data: snap.data, offset: 0 };
      this.outgoing.set(id, t);
      // Retries to a peer that is down would repeat this every heartbeat: say it once per snapshot.
      if (this.announced.get(id) !== snap.index) {
        this.announced.set(id, snap.index);
        this.opts.log(`sending snapshot at ${snap.index} (${snap.data.length} chars) to controller ${id}`);
      }
    }
    const transfer = t;
    const chunk = transfer.data.slice(
      transfer.offset,
      transfer.offset + (this.opts.snapshots?.chunkChars ?? 262_144),
    );
    const term = this.store.term;
    const req: SnapshotReq = {
      term,
      leaderId: this.id,
      lastIndex: transfer.index,
      lastTerm: transfer.term,
      offset: transfer.offset,
      data: chunk,
      done: transfer.offset + chunk.length >= transfer.data.length,
    };
    this.inFlight.add(id);
    this.peers
      .get(id)!
      .call<SnapshotResp>(
        "raft.snapshot",
        req as unknown as Record<string, unknown>,
        Math.max(this.opts.electionTimeoutMs, 1000),
      )
      .then(
        (r) => {
          this.inFlight.delete(id);
          if (r.term > this.store.term) return this.becomeFollower(r.term, null);
          if (this.role !== "leader" || term !== this.store.term) return;
          if (r.matchIndex !== null) {
            this.outgoing.delete(id);
            this.matchIndex.set(id, r.matchIndex);
            this.nextIndex.set(id, r.matchIndex + 1);
            this.advanceCommit();
          } else {
            transfer.offset = Math.max(0, Math.min(r.offset, transfer.data.length));
          }
          this.replicateTo(id);
        },
        () => {
          // The peer is unreachable: start over with the newest snapshot when it answers again.
          this.inFlight.delete(id);
          this.outgoing.delete(id);
        },
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
      const e = this.store.entryAt(this.lastApplied)!;
      this.sinceSnapshot.entries++;
      this.sinceSnapshot.bytes += this.store.sizeAt(this.lastApplied);
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
    this.maybeSnapshot();
  }

  /** Snapshots the applied state and drops the log up to it, once enough has been applied. */
  private maybeSnapshot(): void {
    const s = this.opts.snapshots;
    if (!s || this.lastApplied <= this.store.snapshotIndex) return;
    if (this.sinceSnapshot.entries < s.maxEntries && this.sinceSnapshot.bytes < s.maxBytes) return;
    const started = performance.now();
    const dropped = this.sinceSnapshot;
    const data = s.take();
    this.store.compact(this.lastApplied, data);
    this.sinceSnapshot = { entries: 0, bytes: 0 };
    this.snapshotsTaken++;
    this.opts.log(
      `metadata snapshot at ${this.lastApplied} (${data.length} bytes, ${dropped.entries} entries / ${dropped.bytes} log bytes dropped, ${Math.round(performance.now() - started)} ms)`,
    );
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
    if (method === "raft.snapshot") return this.onSnapshot(params as unknown as SnapshotReq);
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
    let prev = req.prevLogIndex;
    let prevTerm = req.prevLogTerm;
    let entries = req.entries;
    const snap = this.store.snapshotIndex;
    if (prev < snap) {
      // Entries up to our snapshot are committed, hence the same as the leader's: skip them.
      const skip = Math.min(entries.length, snap - prev);
      if (prev + skip < snap) return { term: this.store.term, success: true, matchIndex: prev + skip };
      entries = entries.slice(skip);
      prev = snap;
      prevTerm = this.store.snapshotTerm;
    }
    if (prev > this.store.lastIndex || this.store.termAt(prev) !== prevTerm) {
      const hint = Math.min(this.store.lastIndex, prev - 1);
      return { term: this.store.term, success: false, matchIndex: Math.max(0, hint) };
    }
    let i = 0;
    for (; i < entries.length; i++) {
      const index = prev + 1 + i;
      if (index > this.store.lastIndex) break;
      if (this.store.termAt(index) !== entries[i]!.term) {
        if (index <= this.commitIndex) throw new Error("raft: leader tried to overwrite a committed entry");
        this.store.truncateFrom(index);
        break;
      }
    }
    this.store.append(entries.slice(i));
    const match = prev + entries.length;
    if (req.leaderCommit > this.commitIndex) {
      this.commitIndex = Math.min(req.leaderCommit, match);
      this.applyCommitted();
    }
    return { term: this.store.term, success: true, matchIndex: match };
  }

  private onSnapshot(req: SnapshotReq): SnapshotResp {
    if (req.term < this.store.term) return { term: this.store.term, offset: 0, matchIndex: null };
    if (req.term > this.store.term || this.role !== "follower" || this.leaderId !== req.leaderId) {
      this.becomeFollower(req.term, req.leaderId);
    } else {
      this.resetElectionTimer();
    }
    // Already committed here (a retry, or our own snapshot got there first): nothing to install.
    if (req.lastIndex <= this.commitIndex) {
      this.incoming = null;
      return { term: this.store.term, offset: 0, matchIndex: req.lastIndex };
    }
    if (req.offset === 0) this.incoming = { index: req.lastIndex, term: req.lastTerm, chunks: [], length: 0 };
    const inc = this.incoming;
    if (!inc || inc.index !== req.lastIndex || inc.term !== req.lastTerm || inc.length !== req.offset) {
      // A chunk out of order (a lost answer, a restart): ask for where this transfer stands.
      const expected = inc && inc.index === req.lastIndex && inc.term === req.lastTerm ? inc.length : 0;
      return { term: this.store.term, offset: expected, matchIndex: null };
    }
    inc.chunks.push(req.data);
    inc.length += req.data.length;
    if (!req.done) return { term: this.store.term, offset: inc.length, matchIndex: null };
    this.incoming = null;
    const data = inc.chunks.join("");
    if (!this.opts.snapshots) throw new Error("raft: got a snapshot but snapshots are off here");
    // The state machine checks the snapshot before anything is stored.
    this.opts.snapshots.restore(data, req.lastIndex);
    this.store.install(req.lastIndex, req.lastTerm, data);
    this.commitIndex = req.lastIndex;
    this.lastApplied = req.lastIndex;
    this.sinceSnapshot = { entries: 0, bytes: 0 };
    this.snapshotsInstalled++;
    this.opts.log(`installed the leader's snapshot at ${req.lastIndex} (${data.length} bytes)`);
    return { term: this.store.term, offset: inc.length, matchIndex: req.lastIndex };
  }
}
