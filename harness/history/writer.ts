/**
 * Appends ops to history.ndjson. Lines are buffered and written synchronously every 100 ms or
 * 256 KiB, and on close; `flushSync` is safe to call from an exit handler, so a run stopped by
 * Ctrl-C or a crash keeps everything recorded up to that moment.
 */

import { closeSync, openSync, writeSync } from "node:fs";
import type { Op } from "./op.ts";

export class HistoryWriter {
  private fd: number | undefined;
  private buf: string[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout;
  /** Ops written so far. */
  count = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
    this.timer = setInterval(() => this.flushSync(), 100);
    this.timer.unref();
    // A second Ctrl-C exits at once: whatever is buffered is still written.
    process.on("exit", this.onExit);
  }

  private readonly onExit = () => this.flushSync();

  append(op: Op): void {
    if (this.fd === undefined) return;
    const line = JSON.stringify(op);
    this.buf.push(line);
    this.bytes += line.length + 1;
    this.count++;
    if (this.bytes >= 262_144) this.flushSync();
  }

  flushSync(): void {
    if (this.fd === undefined || this.buf.length === 0) return;
    const text = `${this.buf.join("\n")}\n`;
    this.buf = [];
    this.bytes = 0;
    writeSync(this.fd, text);
  }

  close(): void {
    clearInterval(this.timer);
    process.off("exit", this.onExit);
    this.flushSync();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
