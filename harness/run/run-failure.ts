/**
 * The first thing that broke a run (an engine crash, Ctrl-C, an error in a step), and a promise
 * that rejects with it, so every step can race its own work against the run breaking.
 */

export class RunFailure {
  /** The first failure; later ones are ignored. */
  cause: unknown;
  /** Rejects with the first failure; never resolves. */
  readonly failed: Promise<never>;
  private wake!: (e: unknown) => void;

  constructor() {
    this.failed = new Promise<never>((_, reject) => {
      this.wake = reject;
    });
    this.failed.catch(() => undefined);
  }

  get broken(): boolean {
    return this.cause !== undefined;
  }

  fail = (e: unknown): void => {
    if (this.cause === undefined) this.cause = e;
    this.wake(e);
  };

  /** Runs `work` until it settles or the run breaks, whichever comes first. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.failed]);
  }
}
