/**
 * The scenario file format, as zod schemas. Raw YAML goes in; a typed, defaulted Scenario comes
 * out. Every object is strict (unknown keys are errors that list the allowed keys), and units are
 * parsed here, so the rest of the harness sees milliseconds and messages per second only.
 * Each target's `topology:` section has its own schema in its folder (harness/targets/<name>/).
 * Cross-field rules (node names, fault targets, expectation paths) live in load.ts.
 */

import { z } from "zod";
import { parseSpeed, type TraceRows } from "../generator/trace.ts";
import { parseDuration, parseRate } from "./units.ts";

/** A strict object whose unknown-key error names the allowed keys. */
export function obj<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (iss) => (iss.code === "unrecognized_keys" ? `unknown key; allowed keys: ${allowed}` : undefined),
  });
}

export const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(v)} is not a duration; write it with a unit, e.g. 500ms, 10s or 2m`,
    });
    return z.NEVER;
  }
  return ms;
});

export const rate = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const r = parseRate(v);
  if (r === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(v)} is not a rate; write messages per second, e.g. 5000/s`,
    });
    return z.NEVER;
  }
  return r;
});

export const posInt = (what: string) =>
  z.number({ error: `must be a whole number (${what})` }).int({ error: `must be a whole number (${what})` });

export const nodeName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, {
  error: "must start with a letter and use only letters, digits, _ and -",
});

const rateSpec = z.union([
  rate,
  obj({ constant: rate }).transform((v) => ({ kind: "constant" as const, rate: v.constant })),
  obj({ ramp: obj({ from: rate, to: rate }) }).transform((v) => ({
    kind: "ramp" as const,
    from: v.ramp.from,
    to: v.ramp.to,
  })),
  obj({
    steps: z.array(obj({ rate, for: duration })).min(1, { error: "needs at least one step" }),
  }).transform((v) => ({
    kind: "steps" as const,
    steps: v.steps.map((s) => ({ rate: s.rate, forMs: s.for })),
  })),
]);

const speed = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = parseSpeed(v);
  if (n === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(v)} is not a speed; write a factor such as 1, 0.5 or 3x`,
    });
    return z.NEVER;
  }
  return n;
});

/** The rows are read from the file when the scenario is loaded (load.ts), relative to the scenario. */
const noRows = undefined as unknown as TraceRows;
const traceSchema = z.union([
  z.string().transform((file) => ({ file, speed: 1, loop: false, rows: noRows })),
  obj({ file: z.string(), speed: speed.default(1), loop: z.boolean().default(false) }).transform((t) => ({
    ...t,
    rows: noRows,
  })),
]);

export const workloadSchema = obj({
  rate: rateSpec,
  arrival: z.enum(["uniform", "poisson"]).default("uniform"),
  messageSize: posInt("bytes per message body").min(32).max(1_048_576).default(100),
  producers: posInt("producer count").min(1).max(256).default(2),
  consumers: posInt("consumer count").min(1).max(64).default(1),
  keys: posInt("distinct keys; 0 = no key").min(0).default(0),
  batchSize: posInt("most messages per request").min(1).max(100_000).default(100),
  linger: duration.default(5),
  maxInFlight: posInt("outstanding requests per producer").min(1).max(10_000).default(64),
  /** Log engine: producer acks (0, 1, or -1 / "all"). */
  acks: z
    .union([z.literal(0), z.literal(1), z.literal(-1), z.literal("all")], {
      error: 'must be 0, 1, -1 or "all"',
    })
    .transform((v) => (v === "all" ? -1 : v))
    .optional(),
  /** Kafka-protocol targets: the producers' client library (default: the faster one, targets/kafka/producer-options.ts). */
  client: z.enum(["kafkajs", "platformatic"], { error: 'must be "kafkajs" or "platformatic"' }).optional(),
  /** Kafka-protocol targets: client retries of a failed send (default 0; 10 with idempotence). */
  retries: posInt("client retries").min(0).max(100).optional(),
  /** Kafka-protocol targets: idempotent producers (producer id + sequence numbers; needs acks: all). */
  idempotent: z.boolean().optional(),
  timeout: duration.default(2000),
  warmup: duration.default(1000),
  duration: duration,
  drain: duration.default(5000),
  /** Load worker processes, each sending a disjoint slice of the schedule; omitted = in the harness. */
  workers: posInt("load worker processes").min(1).max(64).optional(),
  /** Replay a recorded shape (NDJSON, CSV or an earlier history) instead of a rate. */
  trace: traceSchema.optional(),
  /** Who sends: faultbench's open-loop loop, or autocannon (HTTP targets) for a reference number. */
  generator: z.enum(["open-loop", "autocannon"]).optional(),
});

const at = duration;
const name = z.string().min(1).optional();
/** A fault that may fail to apply without breaking the run (its figures are null then). */
const optional = z.boolean().optional();
const toxicType = z.enum([
  "latency",
  "bandwidth",
  "slow_close",
  "timeout",
  "reset_peer",
  "slicer",
  "limit_data",
  "noop",
]);
const faultSchema = z.discriminatedUnion("kind", [
  obj({ kind: z.literal("kill"), name, optional, node: nodeName, at, restartAfter: duration.optional() }),
  obj({ kind: z.literal("pause"), name, optional, node: nodeName, at, for: duration }),
  /** Lose what was not fsynced (files and directory entries), then start again after restartAfter. */
  obj({
    kind: z.literal("power-loss"),
    name,
    optional,
    node: nodeName,
    at,
    restartAfter: duration.optional(),
  }),
  obj({ kind: z.literal("restart"), name, optional, node: nodeName, at, for: duration.default(0) }),
  /**
   * A replicated log's scale-out: partitions' replicas on `from` move to `node` (KIP-455
   * reassignment, through the clients' links); healed when the move has completed.
   */
  obj({
    kind: z.literal("reassign"),
    name,
    optional,
    /** The broker the replicas move to. */
    node: nodeName,
    /** The broker they leave. */
    from: nodeName,
    /** Partition indexes; default every partition with a replica on `from`. */
    partitions: z.array(posInt("partition index").min(0)).min(1, { error: "lists no partition" }).optional(),
    at,
    /** How long the move may take before the step fails. */
    within: duration.default(60_000),
  }),
  obj({ kind: z.literal("slow"), name, optional, node: nodeName, at, for: duration, delay: duration }),
  obj({
    kind: z.literal("toxic"),
    name,
    optional,
    /** A link name such as `producers->a1` or `a1->a2`. */
    link: z.string(),
    type: toxicType,
    attributes: z.record(z.string(), z.number()).default({}),
    stream: z.enum(["upstream", "downstream"]).default("downstream"),
    toxicity: z.number().min(0).max(1).default(1),
    at,
    /** Until the load ends when omitted. */
    for: duration.optional(),
  }),
  obj({ kind: z.literal("down"), name, optional, link: z.string(), at, for: duration }),
  obj({
    kind: z.literal("partition"),
    name,
    optional,
    /** Groups of nodes; every link between two groups is cut. */
    groups: z.array(z.array(nodeName).min(1)).min(2, { error: "needs at least two groups" }),
    at,
    for: duration,
  }),
]);

export const scenarioSchema = obj({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, {
    error: "must be 1-80 letters, digits, '.', '_' or '-' (it names the run directory)",
  }),
  description: z.string().default(""),
  seed: posInt("random seed").min(0).default(1),
  /** A registered target's name (harness/targets/registry.ts); checked by the loader. */
  engine: z.string({ error: "is required: the target to run against, e.g. log or agent" }),
  /** Checked against the engine's own schema once the engine is known. */
  topology: z.unknown(),
  workload: workloadSchema,
  faults: z.array(faultSchema).default([]),
  expect: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
  /** Regression thresholds for `compare`: results path → "+10%" (a rise is worse) or "-5%". */
  regression: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
});

export type RawScenario = z.input<typeof scenarioSchema>;
export type ParsedScenario = z.output<typeof scenarioSchema>;
export type Workload = z.output<typeof workloadSchema>;
export type RateSpec = Workload["rate"];
export type FaultSpec = ParsedScenario["faults"][number];
