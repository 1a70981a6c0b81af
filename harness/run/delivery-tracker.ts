/**
 * Live drain tracking: how many messages that were acked (or left indeterminate) have not reached
 * a consumer yet. The run's drain phase ends as soon as this reaches zero, instead of always
 * waiting the full drain time.
 */

const DELIVERED = 1;
const AWAITED = 2;

export class DeliveryTracker {
  private flags: Uint8Array[] = [];
  /** Acked or indeterminate messages not yet delivered. */
  awaiting = 0;
  /** Distinct messages delivered. */
  delivered = 0;

  private slot(producer: number, seq: number): Uint8Array {
    let a = this.flags[producer];
    if (!a || seq >= a.length) {
      let n = a?.length ?? 1024;
      while (n <= seq) n *= 2;
      const b = new Uint8Array(n);
      if (a) b.set(a);
      this.flags[producer] = b;
      a = b;
    }
    return a;
  }

  /** A batch was acked or its outcome is unknown: it should arrive. */
  awaited(producer: number, from: number, to: number): void {
    const a = this.slot(producer, to);
    for (let q = from; q <= to; q++) {
      const f = a[q] as number;
      if (f & (DELIVERED | AWAITED)) continue;
      a[q] = f | AWAITED;
      this.awaiting++;
    }
  }

  arrived(producer: number, from: number, to: number): void {
    const a = this.slot(producer, to);
    for (let q = from; q <= to; q++) {
      const f = a[q] as number;
      if (f & DELIVERED) continue;
      a[q] = f | DELIVERED;
      this.delivered++;
      if (f & AWAITED) this.awaiting--;
    }
  }
}
