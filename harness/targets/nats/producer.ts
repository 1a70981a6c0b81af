/**
 * Producers for NATS JetStream: one connection per harness producer; a send publishes every message
 * of the batch at once (pipelined on the connection) and waits for each one's PubAck, which the
 * server sends once the stream has stored it. Outcomes: every PubAck → ok; no stream listening (no
 * responders) or a JetStream error reply → fail, nothing stored; a timeout or a lost connection →
 * info, since the client may still hold the message in its reconnect buffer and send it later.
 * After a reconnect, and whenever a publish finds no stream (a restarted server with memory
 * storage), the stream and its consumer are created again, as the application that owns them
 * would, on a connection of their own.
 */

import { connect, type JetStreamClient, type NatsConnection } from "nats";
import { encodePayload } from "../../generator/payload.ts";
import type { PlannedMessage } from "../../generator/schedule.ts";
import { StickyPartitioner } from "../shared/sticky-partitioner.ts";
import type { SendOutcome } from "../target.ts";
import { natsClientOptions } from "./client-options.ts";
import { ensureJetStream } from "./setup.ts";
import { type NatsTopology, subjectNames } from "./topology.ts";

export interface NatsProducerOptions {
  port: number;
  topology: NatsTopology;
  timeoutMs: number;
  messageSize: number;
}

export function classifyNatsError(err: unknown): Exclude<SendOutcome, { type: "ok" }> {
  const e = err as { code?: string; message?: string; api_error?: unknown };
  const message = e?.message ?? String(err);
  if (e?.code === "503") return { type: "fail", error: `no responders: ${message}` };
  if (e?.api_error !== undefined) return { type: "fail", error: message };
  return { type: "info", error: message };
}

/** One outcome for the batch from the outcomes of its messages. */
export function combineOutcomes(outcomes: readonly SendOutcome[]): SendOutcome {
  if (outcomes.length > 0 && outcomes.every((o) => o.type === "ok")) return { type: "ok" };
  const bad = outcomes.find((o) => o.type !== "ok") as Exclude<SendOutcome, { type: "ok" }> | undefined;
  if (!bad) return { type: "info", error: "empty batch" };
  return outcomes.every((o) => o.type === "fail") ? bad : { type: "info", error: bad.error };
}

export class NatsProducers {
  private readonly conns: NatsConnection[] = [];
  private readonly js: JetStreamClient[] = [];
  private readonly subjects: string[];
  private readonly partitioner: StickyPartitioner;
  private admin: NatsConnection | undefined;
  private ensuring: Promise<void> | undefined;
  private lastEnsure = 0;

  constructor(
    private readonly count: number,
    private readonly o: NatsProducerOptions,
  ) {
    this.subjects = subjectNames(o.topology);
    this.partitioner = new StickyPartitioner(this.subjects.length);
  }

  async connect(): Promise<void> {
    // Its own connection, so recreating the stream does not queue behind a flood of publishes.
    this.admin = await connect(natsClientOptions(this.o.port, "faultbench-admin"));
    void this.watchReconnects(this.admin);
    for (let i = 0; i < this.count; i++) {
      const nc = await connect(natsClientOptions(this.o.port, `producer-${i}`));
      this.conns.push(nc);
      this.js.push(nc.jetstream({ timeout: this.o.timeoutMs }));
    }
  }

  async send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome> {
    const js = this.js[producer];
    if (!js) return { type: "fail", error: `no producer ${producer}` };
    const parts = this.partitioner.assign(producer, batch);
    const settled = await Promise.allSettled(
      batch.map((m, i) =>
        js.publish(
          this.subjects[parts[i] as number] as string,
          Buffer.from(encodePayload(producer, m.seq, m.intendedUs, this.o.messageSize), "latin1"),
          { timeout: this.o.timeoutMs },
        ),
      ),
    );
    const outcomes = settled.map((s) =>
      s.status === "fulfilled" ? ({ type: "ok" } as const) : classifyNatsError(s.reason),
    );
    if (settled.some((s) => s.status === "rejected" && (s.reason as { code?: string })?.code === "503")) {
      this.recreate();
    }
    return combineOutcomes(outcomes);
  }

  /** Creates the stream and consumer again, at most every half second, never blocking a send. */
  private recreate(): void {
    const admin = this.admin;
    if (!admin || this.ensuring || Date.now() - this.lastEnsure < 500) return;
    this.lastEnsure = Date.now();
    this.ensuring = admin
      .jetstreamManager({ timeout: this.o.timeoutMs })
      .then((jsm) => ensureJetStream(jsm, this.o.topology))
      .catch(() => undefined)
      .finally(() => {
        this.ensuring = undefined;
      });
  }

  /** After every reconnect (a restarted server), make sure the stream and consumer exist. */
  private async watchReconnects(admin: NatsConnection): Promise<void> {
    for await (const s of admin.status()) if (s.type === "reconnect") this.recreate();
  }

  async close(): Promise<void> {
    await this.ensuring;
    await Promise.allSettled([...this.conns, ...(this.admin ? [this.admin] : [])].map((c) => c.close()));
  }
}
