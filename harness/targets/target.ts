/**
 * The seam between the harness and a system under test, in two halves (after Jepsen's db/client
 * split and OpenMessaging Benchmark's driver API):
 *
 * - A **Target** starts (or attaches to) the system: its nodes, each with the node faults it can
 *   suffer (kill, pause, restart, power loss), its links through the fault proxy, and its topology
 *   facts (nodes, links, consumers, what "durability setting" means for the design matrix).
 *   Nemeses get the Target and nothing else.
 * - A **Client** is the narrow part the load loop uses: `send(producer, batch) → outcome`.
 *   Deliveries flow the other way, into the DeliverySink the run hands to the target's factory
 *   (consumers are nodes of the target, so they can be killed like brokers).
 *
 * A target is one folder, `harness/targets/<name>/`, exporting one TargetDefinition that
 * harness/targets/registry.ts lists under its `engine:` name. The definition owns its scenario
 * section (`topology:` schema and cross-field rules), its topology facts, its extra analysis
 * (checkers and result fields) and its report wording; run, analyze, scenario loading and reports
 * look targets up in the registry and never branch on an engine's name.
 */

import type { z } from "zod";
import type { Checker } from "../checkers/checker.ts";
import type { PlannedMessage } from "../generator/schedule.ts";
import type { ConsumerGroupOp, LeadershipOp, Op, ReplicasOp, SampleOp } from "../history/op.ts";
import type { Link } from "../network/links.ts";
import type { Network } from "../network/network.ts";
import type { Check, Results } from "../results/types.ts";
import type { ParsedScenario, Scenario } from "../scenario/scenario.ts";
import type { Supervisor } from "../supervisor/supervisor.ts";

/** A send's outcome, in Jepsen's terms: ok, a definite failure, or unknown (info). */
export type SendOutcome = { type: "ok" } | { type: "fail"; error: string } | { type: "info"; error: string };

/** A request built ahead of its send (`Client.prepare`). */
export interface PreparedSend {
  /** Sends it; `done` is called once with the outcome, never before `send` returns. */
  send(done: (outcome: SendOutcome) => void): void;
}

/** Receives deliveries as contiguous id ranges of one producer. */
/** What a consumer process reports of its group membership (see ConsumerGroupOp). */
export type ConsumerGroupEvent = Omit<ConsumerGroupOp, "t" | "process" | "type" | "f" | "node">;

export interface DeliverySink {
  delivered(
    process: string,
    node: string,
    producer: number,
    from: number,
    to: number,
    position?: { partition: number; offset: number; epoch?: number },
  ): void;
  /** Bodies faultbench did not write, or (`corrupt`) whose checksum does not match. */
  unparsed(process: string, count: number, sample: string, corrupt?: boolean): void;
  /** A consumer's group event, as its client reported it (the history's `group` ops). */
  groupEvent?(process: string, e: ConsumerGroupEvent): void;
}

/** The node faults a scenario may name (`faults[].kind`). */
export type NodeFaultKind = "kill" | "pause" | "restart" | "slow" | "power-loss" | "reassign";

/**
 * What a scenario may do to one node, known from the scenario alone (validation uses it before
 * anything starts). `role` puts nodes in one fault model across targets: servers (`broker-N`,
 * agents, `<engine>-N`), consumers (`consumer-N`), collectors (the harness's HTTP sinks).
 */
export interface NodeFacts {
  name: string;
  role: "server" | "consumer" | "collector";
  faults: readonly NodeFaultKind[];
  /** Why a node fault cannot apply here and how to fix it, when `faults` leaves one out. */
  hint?: string;
}

/** The scenario-level facts of a topology: pure, computed from the resolved scenario. */
export interface TopologyFacts {
  nodes: readonly NodeFacts[];
  /** Every name a partition group may use: the nodes plus the load generators' pseudo-node. */
  endpoints: readonly string[];
  /** One fault proxy each, named `from->to`. */
  links: readonly Link[];
  /** Where deliveries are counted (`deliveredBy.<name>`). */
  consumers: readonly string[];
  /** Deliveries carry partition and offset, so `order.*` expectations and order checks apply. */
  ordered: boolean;
  /**
   * Partition leadership moves between servers (a replicated log): a fault that could move it — a
   * server's pause, a cut between servers — can make a new leader truncate writes the old one
   * acknowledged, so such faults may be charged with lost messages (checkers/loss-attribution.ts).
   */
  leaderElection?: boolean;
  /** The target records partition leadership at the end, so `leadership.*` expectations apply. */
  leadership?: boolean;
  /**
   * The setting that decides what survives a crash, as the design matrix's column label next to
   * the engine name: the channel type for the push agent, producer acks and flush for the log.
   */
  durability: string;
}

/** One node of a running target, as the node nemesis sees it. */
export interface TargetNode {
  readonly name: string;
  /**
   * Whether it is running, when the harness knows (its own processes): a kill, pause or stop of a
   * node that is not running is not applied.
   */
  readonly state?: "stopped" | "starting" | "running" | "paused";
  /** SIGKILL (or the user's kill command); resolves when it is gone. */
  kill(): Promise<void>;
  /** SIGSTOP; `resume` is SIGCONT. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Graceful stop (SIGTERM), the first half of a restart. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data; resolves when it is ready. */
  start(): Promise<void>;
  /** For `slow`: extra delay before each answer (collectors); `undefined` restores the configured one. */
  slow?(delayMs: number | undefined): void;
}

/** A running system under test. */
export interface Target {
  /** Boots (or attaches to) the nodes and the proxied network. Deliveries may start arriving. */
  start(): Promise<void>;
  node(name: string): TargetNode | undefined;
  /** The proxied links, once started (undefined when the target has none). */
  network(): Network | undefined;
  /** Stops what it started and releases every resource. */
  close(): Promise<void>;
  /** Replicated logs: starts moving partitions' replicas between brokers (`reassign` faults). */
  reassign?(move: ReassignMove): Promise<ReassignHandle>;
}

export interface ReassignMove {
  /** Broker names: the replicas on `from` move to `to`. */
  from: string;
  to: string;
  /** Partition indexes; default every partition with a replica on `from`. */
  partitions?: readonly number[];
}

export interface ReassignHandle {
  /** The partitions being moved. */
  partitions: number[];
  /** Resolves once every moved partition has its target replicas; rejects after `withinMs` or when `stop()`. */
  completed(withinMs: number, stop: () => boolean): Promise<void>;
}

/** The load loop's handle: producers only. */
export interface Client {
  /** Connects the producers; called after the target started. */
  start(): Promise<void>;
  /**
   * Sends messages of one producer, in id order: a batch of consecutive messages, or one part of
   * a batch that `split` divided.
   */
  send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome>;
  /**
   * Divides a batch into the requests the client would make anyway (a Kafka client: one per
   * partition its partitioner picks), so each part's outcome is recorded on its own and one
   * partition's error does not mark the others failed. Parts keep id order. Without it, one send.
   */
  split?(producer: number, batch: readonly PlannedMessage[]): PlannedMessage[][];
  /**
   * Builds the request for a batch now and sends it later (`PreparedSend.send`). The load loop
   * prepares a producer's next full batch while its in-flight slot is taken, so when the answer
   * comes the next request is written at once and the bookkeeping follows the write (a
   * closed-loop tool gets that by sending one static body). Optional; not used with `split`.
   */
  prepare?(producer: number, batch: readonly PlannedMessage[]): PreparedSend;
  close(): Promise<void>;
  /**
   * Where this client sends, as plain JSON, once started: load workers in other processes build
   * their own client from it (`TargetDefinition.remoteClient`). Undefined before start.
   */
  endpoint?(): unknown;
}

/** What the run gives a target's factory. */
export interface TargetContext<T> {
  scenario: Scenario<T>;
  supervisor: Supervisor;
  runDir: string;
  projectRoot: string;
  sink: DeliverySink;
  readyTimeoutMs?: number;
  /** The history's clock and recorder, for samples a target takes of its nodes (e.g. /metrics). */
  samples?: { now: () => number; record: (op: SampleOp | ReplicasOp | LeadershipOp) => void };
}

export type Problem = (path: string, message: string) => void;

/** Result fields a target adds to results.json beyond the common ones (e.g. `order`). */
export type AnalysisExtras = Partial<Pick<Results, "order" | "leadership">>;

/** Everything the harness knows about one target, registered by its `engine:` name. */
export interface TargetDefinition<T = unknown, Raw = T> {
  /** The `engine:` value in scenarios. */
  readonly engine: string;
  /** One line for `faultbench list` and the docs. */
  readonly summary: string;
  /** The scenario's `topology:` section; strict, with defaults. */
  readonly topology: z.ZodType<Raw>;
  /** Workload fields this target accepts beyond the common ones (e.g. `acks` for Kafka clients). */
  readonly workloadFields?: readonly string[];
  /** Cross-field rules; returns the resolved topology (defaults that depend on other fields). */
  resolve?(topology: Raw, scenario: ParsedScenario, problem: Problem): T;
  facts(scenario: Scenario<T>): TopologyFacts;
  /**
   * Why this target cannot run on this machine (a server binary that is not installed), with the
   * command that fixes it; its scenarios are then reported as skipped.
   */
  unavailable?(): string | undefined;
  /** Builds the target and its client; nothing starts until `target.start()`. */
  create(ctx: TargetContext<T>): Promise<{ target: Target; client: Client }>;
  /**
   * A client in a load worker process, from the harness client's `endpoint()`; `producers` is how
   * many producers the worker owns. Not started. Targets without it cannot use `workload.workers`.
   */
  remoteClient?(scenario: Scenario<T>, endpoint: unknown, producers: number): Promise<Client>;
  /** Extra result fields, from the history alone (so `faultbench check` recomputes them). */
  analyze?(ops: readonly Op[], scenario: Scenario<T>): AnalysisExtras;
  /** Extra checks beyond delivery accounting and expectations. */
  readonly checkers?: readonly Checker[];
  /** Report wording. */
  readonly report?: { backlogTitle?: string };
}

export type { Check };
