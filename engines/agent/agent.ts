/**
 * Wires one agent from its config: channels, then sinks with their group processors and runners,
 * then sources, then the metrics server; stops in the reverse order of data flow (sources first so
 * nothing new arrives, then runners so the batches in flight commit or roll back, then channels so
 * the file channel can checkpoint), which is Flume's shutdown order.
 */

import type { Channel } from "./channel.ts";
import type { AgentConfig } from "./config.ts";
import { FileChannel } from "./file-channel/file-channel.ts";
import { HttpSink } from "./http-sink.ts";
import { HttpSource } from "./http-source.ts";
import { MemoryChannel } from "./memory-channel.ts";
import { MetricsServer, type MetricsSnapshot } from "./metrics-server.ts";
import { createProcessor } from "./sink-processors.ts";
import { SinkRunner } from "./sink-runner.ts";

export interface RunningAgent {
  name: string;
  /** Bound ports: one per source by source name, and `metrics`. */
  ports: Record<string, number>;
  channels: Map<string, Channel>;
  metrics(): MetricsSnapshot;
  /** Graceful stop; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  metricsPort?: number;
  log?: (m: string) => void;
}

export async function startAgent(config: AgentConfig, opts: StartOptions = {}): Promise<RunningAgent> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`[${config.name}] ${m}\n`));
  const channels = new Map<string, Channel>();
  for (const c of config.channels)
    channels.set(c.name, c.type === "memory" ? new MemoryChannel(c) : new FileChannel(c, log));
  const started: Channel[] = [];
  const sources: HttpSource[] = [];
  const sinks = new Map<string, HttpSink>();
  const runners: SinkRunner[] = [];
  const metricsServer = new MetricsServer(() => snapshot(channels, sources, sinks));
  const ports: Record<string, number> = {};

  const stopAll = async () => {
    for (const s of sources) await s.stop();
    for (const s of sinks.values()) s.stop();
    for (const r of runners) await r.stop();
    for (const s of sinks.values()) await s.close();
    for (const c of started) await c.stop();
    await metricsServer.stop();
  };

  try {
    for (const c of channels.values()) {
      await c.start();
      started.push(c);
    }
    for (const s of config.sinks) sinks.set(s.name, new HttpSink(s, channels.get(s.channel) as Channel));
    for (const g of config.sinkGroups) {
      const members = g.sinks.map((n) => sinks.get(n) as HttpSink);
      for (const m of members) m.start();
      const runner = new SinkRunner(g, createProcessor(g.processor, members, log), log);
      runner.start();
      runners.push(runner);
    }
    for (const s of config.sources) {
      const src = new HttpSource(
        s,
        s.channels.map((n) => channels.get(n) as Channel),
        log,
      );
      sources.push(src);
      ports[s.name] = await src.start();
    }
    ports.metrics = await metricsServer.start(opts.metricsPort ?? 0);
  } catch (e) {
    await stopAll().catch(() => {});
    throw e;
  }

  let stopping: Promise<void> | undefined;
  return {
    name: config.name,
    ports,
    channels,
    metrics: () => snapshot(channels, sources, sinks),
    stop: () => {
      stopping ??= stopAll();
      return stopping;
    },
  };
}

function snapshot(
  channels: Map<string, Channel>,
  sources: HttpSource[],
  sinks: Map<string, HttpSink>,
): MetricsSnapshot {
  const out: MetricsSnapshot = {};
  for (const s of sources) out[`SOURCE.${s.name}`] = { Type: "SOURCE", ...s.counters };
  for (const [name, c] of channels) {
    const size = c.size();
    out[`CHANNEL.${name}`] = {
      Type: "CHANNEL",
      ChannelSize: size,
      ChannelCapacity: c.capacity,
      ChannelFillPercentage: (size / c.capacity) * 100,
      ...c.counters,
    };
  }
  for (const [name, s] of sinks) out[`SINK.${name}`] = { Type: "SINK", ...s.counters };
  return out;
}
