/**
 * Pure helpers for the raw end-to-end benchmark's report: rate lists from the command line,
 * medians over runs, what bounded a run (the cluster, the bench's own processes, the machine),
 * and the target verdict, stated for the rate it was measured at.
 */

export interface RunFigures {
  p50: number;
  p99: number;
  p999: number;
  /** Batch sent → consumed, p99. */
  fromSendP99: number;
  /** Records per second consumed during the window. */
  delivered: number;
  /** Cores during the window. */
  cpu: { brokers: number; producer: number; consumer: number; machine: number };
}

/** "5k,20000,1.5M" → [5000, 20000, 1500000]. Throws with the offending item. */
export function parseRates(text: string): number[] {
  return text.split(",").map((item) => {
    const m = /^\s*(\d+(?:\.\d+)?)([kKmM]?)\s*$/.exec(item);
    if (!m) throw new Error(`not a rate: "${item}" (write e.g. 5000, 20k or 1.5M)`);
    const n = Number(m[1]) * (m[2] === "" ? 1 : m[2]!.toLowerCase() === "k" ? 1e3 : 1e6);
    if (!(n >= 1)) throw new Error(`a rate must be at least 1 record/s, not "${item}"`);
    return Math.round(n);
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Each figure's median over runs (figure by figure, as the bench reports medians). */
export function medianFigures(runs: RunFigures[]): RunFigures {
  const m = (f: (r: RunFigures) => number) => median(runs.map(f));
  return {
    p50: m((r) => r.p50),
    p99: m((r) => r.p99),
    p999: m((r) => r.p999),
    fromSendP99: m((r) => r.fromSendP99),
    delivered: m((r) => r.delivered),
    cpu: {
      brokers: m((r) => r.cpu.brokers),
      producer: m((r) => r.cpu.producer),
      consumer: m((r) => r.cpu.consumer),
      machine: m((r) => r.cpu.machine),
    },
  };
}

/**
 * What else could have set the figure: the bench's own producer or consumer near a whole core (a
 * single-threaded process cannot go faster), a cluster that did not keep up with the offered
 * rate, or a machine busy with other work (its busy cores minus ours).
 */
export function caveats(f: RunFigures, rate: number, cores: number): string[] {
  const out: string[] = [];
  if (f.cpu.producer >= 0.9)
    out.push(`the bench's producer used ${f.cpu.producer.toFixed(2)} cores: it bounds the figure`);
  if (f.cpu.consumer >= 0.9)
    out.push(`the bench's consumer used ${f.cpu.consumer.toFixed(2)} cores: it bounds the figure`);
  if (f.delivered < rate * 0.98)
    out.push(`delivered ${Math.round(f.delivered)} of ${rate} records/s offered: the path did not keep up`);
  const ours = f.cpu.brokers + f.cpu.producer + f.cpu.consumer;
  const others = f.cpu.machine - ours;
  if (others >= 0.25 * cores)
    out.push(
      `other processes used ${others.toFixed(2)} of ${cores} cores meanwhile: the figure is a busy machine's`,
    );
  return out;
}

/**
 * The target verdict at the target's rate, and the highest measured rate whose median p99 held
 * the limit (null when none did or only one rate was measured).
 */
export function targetVerdict(
  byRate: Map<number, RunFigures>,
  targetRate: number,
  limitMs: number,
): { met: boolean; p99: number; highestHeld: number | null } {
  const at = byRate.get(targetRate);
  if (!at) throw new Error(`no figures at the target rate ${targetRate}`);
  const held = [...byRate].filter(([, f]) => f.p99 <= limitMs).map(([r]) => r);
  return {
    met: at.p99 <= limitMs,
    p99: at.p99,
    highestHeld: byRate.size > 1 && held.length > 0 ? Math.max(...held) : null,
  };
}
