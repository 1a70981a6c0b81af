/**
 * What one `process()` call of a sink or sink processor reports, after Flume's Sink.Status, and the
 * failure it throws (Flume's EventDeliveryException). IDLE is ours: the channel stayed empty for the
 * sink's wait, which is not a reason to back off because the wait already was the pause.
 */

export type SinkStatus = "READY" | "BACKOFF" | "IDLE";

export class EventDeliveryException extends Error {
  /** False when a `backoff.CODE = false` override says to retry at once. */
  readonly backoff: boolean;
  constructor(message: string, options: { cause?: unknown; backoff?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EventDeliveryException";
    this.backoff = options.backoff ?? true;
  }
}

/** Anything that can be driven by a sink runner: one sink, or a processor over several. */
export interface Processable {
  process(): Promise<SinkStatus>;
}
