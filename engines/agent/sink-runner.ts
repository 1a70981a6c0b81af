/**
 * Flume's SinkRunner: one loop per sink group that calls the processor again and again. After a
 * BACKOFF or a delivery failure it sleeps min(consecutive × backoffStepMs, maxBackoffMs) (Flume:
 * 1000 and 5000 ms); any other result resets the count. Departure: Flume sleeps the full maximum
 * after an EventDeliveryException; our HTTP sink throws where Flume's returned BACKOFF, so we keep
 * the growing backoff for failures too. Stop lets the current process() finish (its transaction
 * commits or rolls back) and interrupts a backoff sleep.
 */

import type { SinkGroupConfig } from "./config.ts";
import { EventDeliveryException, type Processable } from "./sink-status.ts";

export class SinkRunner {
  consecutiveBackoffs = 0;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly group: SinkGroupConfig,
    private readonly processor: Processable,
    private readonly log: (m: string) => void,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let backoff = false;
      try {
        backoff = (await this.processor.process()) === "BACKOFF";
      } catch (e) {
        backoff = !(e instanceof EventDeliveryException) || e.backoff;
        this.log(`sink group ${this.group.name}: ${(e as Error).message}`);
      }
      if (!backoff) {
        this.consecutiveBackoffs = 0;
        continue;
      }
      this.consecutiveBackoffs++;
      await this.sleep(
        Math.min(this.consecutiveBackoffs * this.group.backoffStepMs, this.group.maxBackoffMs),
      );
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }
}
