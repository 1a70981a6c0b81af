/**
 * One direction of one proxied connection: bytes read from `src` pass through this direction's
 * chain of toxics and are written to `dst`, as in Toxiproxy's ToxicLink. With no toxics the link
 * writes each chunk straight to `dst` (the proxy's fast path: no queue, no timestamps, no promises);
 * with toxics, chunks flow through channels between stages, with bounded buffering that pauses
 * `src` when the chain is full and waits for `drain` when `dst` is. Toxics can be added, updated
 * and removed while data flows; chain edits are serialised per link.
 */
import type { Socket } from "node:net";
import { forwardAll } from "../toxics/noop.ts";
import type { ToxicSpec } from "../toxics/spec.ts";
import { Channel, type Chunk, EOF, type Item } from "./channel.ts";
import { Stub } from "./stub.ts";

/** Buffering between stages when a toxic does not ask for more. */
const defaultCapacity = 256 * 1024;

interface Stage {
  spec: ToxicSpec;
  stub: Stub;
}

export class Link {
  /** channels[i] feeds stage i; the last channel feeds the writer. Never empty. */
  private readonly channels: Channel[];
  private readonly stages: Stage[] = [];
  private readonly out: Channel;
  private draining = false;
  private inputDone = false;
  private ended = false;
  private ops: Promise<void> = Promise.resolve();

  constructor(
    readonly src: Socket,
    readonly dst: Socket,
    chain: readonly ToxicSpec[],
    private readonly random: () => number,
    private readonly onEnd: (link: Link) => void,
  ) {
    this.out = new Channel(defaultCapacity);
    this.channels = [this.out];
    for (const spec of chain) this.append(spec);
    this.pump();
  }

  get finished(): boolean {
    return this.ended;
  }

  /** A chunk read from `src`. */
  onData(data: Buffer): void {
    if (this.inputDone) return;
    if (this.stages.length === 0 && !this.draining && this.out.length === 0) {
      // Fast path: nothing to apply and nothing queued ahead of this chunk.
      if (!this.dst.write(data)) this.waitDrain();
      return;
    }
    const first = this.channels[0] as Channel;
    first.push({ data, time: performance.now() });
    if (first.full()) this.pauseUntilSpace(first);
  }

  /** `src` ended (EOF, error or close): let the chain finish what it holds, then end `dst`. */
  endInput(): void {
    if (this.inputDone) return;
    this.inputDone = true;
    (this.channels[0] as Channel).push(EOF);
  }

  /** `dst` is gone: stop everything, nothing more can be delivered. */
  abort(): void {
    this.inputDone = true;
    this.ended = true;
    for (const s of this.stages) void s.stub.interrupt();
  }

  add(spec: ToxicSpec): Promise<void> {
    return this.enqueue(async () => {
      this.append(spec);
    });
  }

  update(spec: ToxicSpec): Promise<void> {
    return this.enqueue(async () => {
      const stage = this.stages.find((s) => s.spec.name === spec.name);
      if (stage === undefined || stage.stub.closed) return;
      await stage.stub.interrupt();
      stage.spec = spec;
      this.run(stage);
    });
  }

  remove(name: string): Promise<void> {
    return this.enqueue(async () => {
      const i = this.stages.findIndex((s) => s.spec.name === name);
      const stage = this.stages[i];
      if (stage === undefined) return;
      const { stub } = stage;
      if (!stub.closed) {
        await stub.interrupt();
        stage.spec.kind.cleanup?.(stub);
        // Whatever the removed toxic had not taken yet goes on to the next stage, in order.
        for (const item of stub.input.drainAll()) {
          if (stub.closed) break;
          if (item === EOF) stub.close();
          else stub.output.push(item);
        }
      }
      const prev = this.stages[i - 1];
      if (prev !== undefined) prev.stub.output = stub.output;
      this.stages.splice(i, 1);
      this.channels.splice(i, 1);
      stub.input.retire();
    });
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const next = this.ops.then(() => (this.ended ? undefined : op()));
    this.ops = next.catch(() => undefined);
    return next;
  }

  /** Adds a stage at the end of the chain, just before the writer's channel. */
  private append(spec: ToxicSpec): void {
    const input = new Channel(spec.kind.bufferBytes ?? defaultCapacity);
    this.channels.splice(this.channels.length - 1, 0, input);
    const last = this.stages[this.stages.length - 1];
    if (last !== undefined) last.stub.output = input;
    const stub = new Stub(input, this.out, this.random);
    stub.state = spec.kind.newState?.();
    const stage = { spec, stub };
    this.stages.push(stage);
    this.run(stage);
  }

  /** Starts (or restarts) a stage; the toxicity roll is made here, once per start, like Toxiproxy. */
  private run(stage: Stage): void {
    const { spec } = stage;
    const active = this.random() < spec.toxicity;
    stage.stub.start(active ? (s) => spec.kind.pipe(s, spec.attributes) : forwardAll);
  }

  /** Writes queued chunks to `dst` until the queue is empty or `dst` is full. */
  private pump = (): void => {
    while (!this.draining && !this.ended) {
      const item = this.out.shift();
      if (item === undefined) {
        this.out.onItem(this.deliver);
        return;
      }
      this.write(item);
    }
  };

  private deliver = (item: Item): void => {
    this.write(item);
    this.pump();
  };

  private write(item: Item): void {
    if (this.ended) return;
    if (item === EOF) {
      this.ended = true;
      this.onEnd(this);
      return;
    }
    if (!this.dst.write((item as Chunk).data)) this.waitDrain();
  }

  private waitDrain(): void {
    if (this.draining) return;
    this.draining = true;
    if (this.stages.length === 0) this.src.pause();
    this.dst.once("drain", () => {
      this.draining = false;
      this.resumeIfClear();
      this.pump();
    });
  }

  private pauseUntilSpace(channel: Channel): void {
    this.src.pause();
    void channel.space().then(() => this.resumeIfClear());
  }

  private resumeIfClear(): void {
    if (this.inputDone || this.src.destroyed) return;
    if (this.draining && this.stages.length === 0) return;
    const first = this.channels[0] as Channel;
    if (first.full()) this.pauseUntilSpace(first);
    else this.src.resume();
  }
}
