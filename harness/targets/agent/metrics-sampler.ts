/**
 * Samples each running agent's Flume-style `GET /metrics` about once per second and records the
 * channel gauges as `sample` history ops, so reports can show how full each channel was while a
 * fault played out. Observation must never disturb the run: a node that is down, paused or slow
 * is simply skipped (short timeout), one request per node is in flight at most, and nothing here
 * throws into the run.
 */

import type { SampleOp } from "../../history/op.ts";
import type { NodeProcess } from "../../supervisor/node-process.ts";

export interface SamplerOptions {
  /** The nodes to sample, looked up on every tick (restarts change a node's metrics port). */
  nodes: () => Iterable<NodeProcess>;
  /** µs since the load started (the history clock). */
  now: () => number;
  record: (op: SampleOp) => void;
  intervalMs?: number;
  /** A sample that takes longer than this is dropped; a SIGSTOPped agent never answers. */
  timeoutMs?: number;
}

export class AgentMetricsSampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly busy = new Set<string>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly o: SamplerOptions) {}

  start(): void {
    if (this.timer) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.o.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Stops ticking and waits for the requests in flight (each ends by its timeout at the latest). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.pending]);
  }

  private tick(): void {
    for (const node of this.o.nodes()) {
      const name = node.spec.name;
      const port = node.ports.metrics;
      if (node.state !== "running" || port === undefined || this.busy.has(name)) continue;
      this.busy.add(name);
      const p = this.sampleOne(name, port).finally(() => {
        this.busy.delete(name);
        this.pending.delete(p);
      });
      this.pending.add(p);
    }
  }

  private async sampleOne(node: string, port: number): Promise<void> {
    let snapshot: unknown;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 300),
      });
      if (!res.ok) {
        await res.body?.cancel();
        return;
      }
      snapshot = await res.json();
    } catch {
      // Down, paused, restarting or too slow: no sample this second.
      return;
    }
    const metrics = channelGauges(snapshot);
    // Stamped when the reading arrives: the value is current then, and the clock read at that
    // moment is on the same base as the ops recorded around it (the load's t = 0 may have been
    // fixed while the request was in flight). Nothing is recorded once stopped.
    if (metrics && this.timer)
      this.o.record({ t: this.o.now(), process: "sampler", type: "info", f: "sample", node, metrics });
  }
}

/**
 * The channel gauges of one `/metrics` snapshot, summed over every `CHANNEL.*` component; undefined
 * when the snapshot has no channel.
 */
export function channelGauges(snapshot: unknown): SampleOp["metrics"] | undefined {
  if (typeof snapshot !== "object" || snapshot === null) return undefined;
  let size = 0;
  let capacity = 0;
  let fillSum = 0;
  let channels = 0;
  for (const [key, v] of Object.entries(snapshot as Record<string, unknown>)) {
    if (!key.startsWith("CHANNEL.") || typeof v !== "object" || v === null) continue;
    const c = v as Record<string, unknown>;
    const s = Number(c.ChannelSize);
    if (!Number.isFinite(s)) continue;
    channels++;
    size += s;
    const cap = Number(c.ChannelCapacity);
    if (Number.isFinite(cap) && cap > 0) capacity += cap;
    const fill = Number(c.ChannelFillPercentage);
    if (Number.isFinite(fill)) fillSum += fill;
  }
  if (channels === 0) return undefined;
  // With capacities known, fill is size over total capacity; otherwise the mean of the reported fills.
  const pct = capacity > 0 ? (size / capacity) * 100 : fillSum / channels;
  return { channelSize: size, channelFillPercentage: Math.round(pct * 1000) / 1000 };
}
