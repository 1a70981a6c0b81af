/**
 * autocannon as the load generator of an HTTP target (`workload.generator: autocannon`), for a
 * well-known reference number next to faultbench's own. The seeded schedule is cut into the same
 * batches (consecutive messages of one producer, `batchSize` each) and autocannon sends them over
 * `producers` connections at `rate / batchSize` requests per second, in its own way: a per-second
 * budget per connection, one request in flight per connection (closed loop). Every body carries
 * the message identities and intended times, so delivery accounting and the corrected latency
 * (which then shows autocannon's coordinated omission) work as for any run. It has the LoadLoop's
 * surface, so a run drives it the same way.
 */

import type autocannonType from "autocannon";
import { FaultbenchError } from "../errors.ts";
import { encodePayload } from "../generator/payload.ts";
import { type PlannedMessage, Schedule } from "../generator/schedule.ts";
import type { SendOp } from "../history/op.ts";
import type { LoadCounters, LoadLoopDeps } from "../run/load-loop.ts";
import type { Scenario } from "../scenario/load.ts";
import type { Client } from "../targets/target.ts";

export interface AutocannonLoadDeps extends Omit<LoadLoopDeps, "client" | "slice"> {
  /** The harness's client, for the HTTP source's URL it sends to. */
  client: Pick<Client, "endpoint">;
}

interface Batch {
  producer: number;
  messages: PlannedMessage[];
}

interface Context {
  current?: { req: number; batch: Batch };
}

/** The schedule's messages as batches of one producer's consecutive messages, in send order. */
export function plannedBatches(scenario: Scenario): Batch[] {
  const w = scenario.workload;
  const perProducer: PlannedMessage[][] = Array.from({ length: w.producers }, () => []);
  const s = new Schedule(w, scenario.seed);
  for (let m = s.next(); m !== undefined; m = s.next()) perProducer[m.producer]?.push(m);
  const batches: Batch[] = [];
  perProducer.forEach((list, producer) => {
    for (let i = 0; i < list.length; i += w.batchSize)
      batches.push({ producer, messages: list.slice(i, i + w.batchSize) });
  });
  // In order of each batch's last message: when an open-loop producer would have had it full.
  return batches.sort(
    (a, b) =>
      (a.messages[a.messages.length - 1] as PlannedMessage).intendedUs -
      (b.messages[b.messages.length - 1] as PlannedMessage).intendedUs,
  );
}

export class AutocannonLoad {
  readonly counters: LoadCounters = {
    offered: 0,
    sent: 0,
    acked: 0,
    failed: 0,
    indeterminate: 0,
    inFlight: 0,
    heldByInFlight: 0,
    lateTicks: 0,
  };
  private instance: autocannonType.Instance | undefined;
  private finished: Promise<void> = Promise.resolve();

  constructor(
    private readonly scenario: Scenario,
    private readonly deps: AutocannonLoadDeps,
  ) {}

  async run(): Promise<void> {
    // Loaded only when asked for: most runs never need autocannon's dependencies.
    const { default: autocannon } = await import("autocannon");
    const endpoint = this.deps.client.endpoint?.() as { url?: unknown } | undefined;
    if (typeof endpoint?.url !== "string")
      throw new FaultbenchError(
        "FB_INTERNAL",
        `workload.generator: autocannon needs an HTTP target; the ${this.scenario.engine} client has no URL`,
      );
    const url = endpoint.url;
    const w = this.scenario.workload;
    const batches = plannedBatches(this.scenario);
    this.counters.offered = batches.reduce((a, b) => a + b.messages.length, 0);
    const loadS = (w.warmup + w.duration) / 1000;
    let next = 0;
    let reqId = 0;
    const record = (op: SendOp) => this.deps.record(op);
    const outcome = (ctx: Context, type: SendOp["type"], error?: string) => {
      const cur = ctx.current;
      if (!cur) return;
      ctx.current = undefined;
      const first = cur.batch.messages[0] as PlannedMessage;
      const last = cur.batch.messages[cur.batch.messages.length - 1] as PlannedMessage;
      const n = cur.batch.messages.length;
      const op: SendOp = {
        t: this.deps.now(),
        process: `producer-${cur.batch.producer}`,
        type,
        f: "send",
        req: cur.req,
        producer: cur.batch.producer,
        from: first.seq,
        to: last.seq,
      };
      if (error) op.error = error;
      record(op);
      this.counters.inFlight--;
      if (type === "ok") this.counters.acked += n;
      else if (type === "fail") this.counters.failed += n;
      else this.counters.indeterminate += n;
      this.deps.onOutcome?.(cur.batch.producer, first.seq, last.seq, type);
    };
    let resolveDone!: () => void;
    this.finished = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const instance = autocannon(
      {
        url,
        connections: Math.min(w.producers, batches.length),
        overallRate: Math.max(1, Math.round(this.counters.offered / loadS / w.batchSize)),
        amount: batches.length,
        timeout: Math.max(1, Math.ceil(w.timeout / 1000)),
        requests: [
          {
            method: "POST",
            path: "/",
            headers: { "content-type": "application/json; charset=UTF-8" },
            setupRequest: (req, context) => {
              const batch = batches[next++];
              if (!batch) return req;
              const first = batch.messages[0] as PlannedMessage;
              const last = batch.messages[batch.messages.length - 1] as PlannedMessage;
              const id = reqId++;
              (context as Context).current = { req: id, batch };
              record({
                t: this.deps.now(),
                process: `producer-${batch.producer}`,
                type: "invoke",
                f: "send",
                req: id,
                producer: batch.producer,
                from: first.seq,
                to: last.seq,
              });
              this.counters.sent += batch.messages.length;
              this.counters.inFlight++;
              const body = JSON.stringify(
                batch.messages.map((m) => ({
                  headers: m.key === undefined ? {} : { key: m.key },
                  body: encodePayload(batch.producer, m.seq, m.intendedUs, m.size ?? w.messageSize),
                })),
              );
              return { ...req, body };
            },
            onResponse: (status, _body, context) => {
              // As the open-loop producer reads the agent's answers: 2xx ok, 4xx and 503 nothing committed.
              const type =
                status >= 200 && status < 300
                  ? "ok"
                  : (status >= 400 && status < 500) || status === 503
                    ? "fail"
                    : "info";
              outcome(context as Context, type, type === "ok" ? undefined : `HTTP ${status}`);
            },
          },
        ],
      },
      () => resolveDone(),
    );
    this.instance = instance;
    return this.finished;
  }

  settled(): Promise<void> {
    return this.finished;
  }

  async stop(): Promise<void> {
    this.instance?.stop();
    await this.finished;
  }
}
