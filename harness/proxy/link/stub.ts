/**
 * The per-connection, per-toxic handle a toxic's `pipe` runs against, after Toxiproxy's ToxicStub:
 * an input and an output channel, the toxic's per-connection state, and an interrupt. Interrupting
 * makes every pending `recv`/`sleep`/`send` return at once, so the chain can be rewired (a toxic
 * added, updated or removed) while data keeps flowing; a toxic that is interrupted while holding a
 * chunk forwards it instead of dropping it.
 */
import { type Channel, type Chunk, EOF, type Item } from "./channel.ts";

export const INTERRUPTED: unique symbol = Symbol("interrupted");
export const TIMED_OUT: unique symbol = Symbol("timed out");

export class Stub {
  /** Per-connection state of stateful toxics (limit_data); survives updates of the toxic. */
  state: unknown;
  private closedFlag = false;
  private interruptedFlag = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(
    public input: Channel,
    public output: Channel,
    readonly random: () => number,
  ) {}

  get closed(): boolean {
    return this.closedFlag;
  }

  get interrupted(): boolean {
    return this.interruptedFlag;
  }

  /** Runs one toxic body on this stub until it returns (EOF, close or interrupt). */
  start(body: (stub: Stub) => Promise<void>): void {
    this.interruptedFlag = false;
    this.running = body(this).catch(() => {
      // A toxic body has no error path of its own; if one throws, close the link rather than hang it.
      this.close();
    });
  }

  /** Interrupts the running body and resolves once it has returned. */
  async interrupt(): Promise<void> {
    this.interruptedFlag = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    await this.running;
    this.running = undefined;
  }

  /** The next chunk or EOF from the input, or INTERRUPTED. */
  recv(): Promise<Item | typeof INTERRUPTED> {
    return this.recvWithin(0) as Promise<Item | typeof INTERRUPTED>;
  }

  /** Like recv, or TIMED_OUT when `timeoutMs` (> 0, else no limit) passes first; the item then stays queued. */
  recvWithin(timeoutMs: number): Promise<Item | typeof INTERRUPTED | typeof TIMED_OUT> {
    if (this.interruptedFlag) return Promise.resolve(INTERRUPTED);
    const item = this.input.shift();
    if (item !== undefined) return Promise.resolve(item);
    const input = this.input;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        clearTimeout(timer);
        input.cancelRead();
        resolve(INTERRUPTED);
      };
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          this.clearWake(wake);
          input.cancelRead();
          resolve(TIMED_OUT);
        }, timeoutMs);
      }
      input.onItem((it) => {
        clearTimeout(timer);
        this.clearWake(wake);
        resolve(it);
      });
      this.wake = wake;
    });
  }

  /** Waits `ms`; resolves true when the time passed, false when interrupted first. */
  sleep(ms: number): Promise<boolean> {
    if (this.interruptedFlag) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.clearWake(wake);
        resolve(true);
      }, ms);
      this.wake = wake;
    });
  }

  /** Forwards a chunk; waits while the next channel is over capacity (not when interrupted). */
  send(chunk: Chunk): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    const out = this.output;
    out.push(chunk);
    if (!out.full() || this.interruptedFlag) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => resolve();
      out.space().then(() => {
        this.clearWake(wake);
        resolve();
      });
      this.wake = wake;
    });
  }

  private clearWake(wake: () => void): void {
    if (this.wake === wake) this.wake = undefined;
  }

  /** Ends the stream after this toxic: everything downstream sees EOF and the link closes. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.output.push(EOF);
  }
}
