/**
 * Builds histories by hand for checker and analysis tests: sends as invoke + completion pairs with
 * request ids handed out in order, deliveries as id ranges, nemesis and phase ops. Every method
 * returns the builder (or the request id) so a test reads as the run it describes.
 */

import type {
  DeliverOp,
  NemesisF,
  NemesisOp,
  Op,
  OpType,
  PhaseOp,
  SendOp,
} from "../../harness/history/op.ts";

export class HistoryBuilder {
  readonly ops: Op[] = [];
  private nextReq = 0;

  /** The run's start op (t = 0 unless given). */
  start(scenario = "test", seed = 1, t = 0): this {
    this.ops.push({
      t,
      process: "harness",
      type: "info",
      f: "start",
      schemaVersion: 1,
      scenario,
      seed,
      epoch: "2024-01-01T00:00:00.000Z",
    });
    return this;
  }

  phase(t: number, phase: PhaseOp["phase"]): this {
    this.ops.push({ t, process: "harness", type: "info", f: "phase", phase });
    return this;
  }

  /** A send invoke for producer's seqs from..to; returns its request id. */
  invoke(t: number, producer: number, from: number, to = from): number {
    const req = this.nextReq++;
    const op: SendOp = { t, process: `p${producer}`, type: "invoke", f: "send", req, producer, from, to };
    this.ops.push(op);
    return req;
  }

  /** The completion (ok, fail or info) of an earlier invoke. */
  complete(t: number, req: number, type: Exclude<OpType, "invoke">, error?: string): this {
    const inv = this.ops.find((o) => o.f === "send" && o.type === "invoke" && (o as SendOp).req === req) as
      | SendOp
      | undefined;
    if (!inv) throw new Error(`no invoke with req ${req}`);
    const op: SendOp = {
      t,
      process: inv.process,
      type,
      f: "send",
      req,
      producer: inv.producer,
      from: inv.from,
      to: inv.to,
    };
    if (error !== undefined) op.error = error;
    this.ops.push(op);
    return this;
  }

  /** Invoke at `t`, answered `type` at `doneT`. */
  send(
    t: number,
    producer: number,
    from: number,
    to = from,
    type: Exclude<OpType, "invoke"> = "ok",
    doneT = t + 1000,
  ): this {
    const req = this.invoke(t, producer, from, to);
    return this.complete(doneT, req, type);
  }

  deliver(t: number, producer: number, from: number, to = from, node = "collector"): this {
    const op: DeliverOp = { t, process: "consumer", type: "ok", f: "deliver", producer, from, to, node };
    this.ops.push(op);
    return this;
  }

  deliverUnparsed(t: number, count: number, sample = "garbage"): this {
    this.ops.push({ t, process: "consumer", type: "ok", f: "deliver-unparsed", count, sample });
    return this;
  }

  nemesis(t: number, type: OpType, f: NemesisF, fault: string, node: string, kind: string): this {
    const op: NemesisOp = { t, process: "nemesis", type, f, fault, node, kind };
    this.ops.push(op);
    return this;
  }

  /** The ops sorted by time (stable, so same-time ops keep the order they were added in). */
  build(): Op[] {
    return this.ops
      .map((op, i) => ({ op, i }))
      .sort((a, b) => a.op.t - b.op.t || a.i - b.i)
      .map((x) => x.op);
  }
}
