/**
 * One run, start to finish, as named steps: setup (the target from the registry boots its nodes
 * and network, then its client connects), load (warmup and measure: the open-loop load beside the
 * nemeses, which get the target and never the client), drain, teardown, results. Whatever
 * happens — an engine crash, Ctrl-C, an error — every child process is stopped and the results
 * of what was recorded so far are written, marked `errored`.
 */

import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FaultbenchError } from "../errors.ts";
import { GENERATOR_VERSION } from "../generator/version.ts";
import { HistoryWriter } from "../history/writer.ts";
import { isNetworkFault, NetworkNemesis } from "../nemesis/network-faults.ts";
import { type FaultEvent, isNodeFault, NodeNemesis } from "../nemesis/node-faults.ts";
import { RemoteLoad, type RemoteWorkersOption } from "../remote/remote-load.ts";
import { resourcesOf, runSampler } from "../resources/run-resources.ts";
import type { Results } from "../results/types.ts";
import type { Scenario } from "../scenario/load.ts";
import { Supervisor } from "../supervisor/supervisor.ts";
import { targetFor } from "../targets/registry.ts";
import type { Client, DeliverySink, Target } from "../targets/target.ts";
import { AutocannonLoad } from "../workers/autocannon-load.ts";
import { ReorderingSink } from "../workers/reorder.ts";
import { WorkerLoad } from "../workers/worker-load.ts";
import { DeliveryTracker } from "./delivery-tracker.ts";
import { drain } from "./drain.ts";
import { LoadLoop } from "./load-loop.ts";
import { startProgressTicker } from "./progress-ticker.ts";
import { buildResults } from "./results.ts";
import { RunClock } from "./run-clock.ts";
import { createRunDir, writeResults, writeScenarioCopy } from "./run-dir.ts";
import { RunFailure } from "./run-failure.ts";

export type Phase = "setup" | "warmup" | "measure" | "drain" | "teardown";

export type ProgressEvent =
  | { type: "phase"; phase: Phase; elapsedMs: number }
  | {
      type: "tick";
      phase: Phase;
      elapsedMs: number;
      offeredPerSec: number;
      ackedPerSec: number;
      deliveredPerSec: number;
      failedPerSec: number;
      inFlight: number;
    }
  | ({ type: "fault"; elapsedMs: number } & FaultEvent)
  | { type: "node-exit"; node: string; code: number | null; signal: string | null; expected: boolean };

export interface RunOptions {
  scenario: Scenario;
  outDir: string;
  projectRoot: string;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  /** Send the load from these remote workers (`run --workers`), slice i/n from the i-th. */
  remoteWorkers?: RemoteWorkersOption;
}

export interface RunOutcome {
  runDir: string;
  results: Results;
}

export async function runScenario(o: RunOptions): Promise<RunOutcome> {
  const { scenario } = o;
  const w = scenario.workload;
  const startedAt = new Date();
  const runDir = createRunDir(o.outDir, scenario.name, startedAt);
  writeScenarioCopy(runDir, scenario.raw);
  const history = new HistoryWriter(join(runDir, "history.ndjson"));
  const progress = o.onProgress ?? (() => {});
  // Load workers' ops arrive late and out of order: then the history is kept in time order.
  let ordered: ReorderingSink | undefined;
  const split = Boolean(w.workers || o.remoteWorkers);
  const clock = new RunClock(history, split ? { append: (op) => ordered?.append(op) } : history);
  const { now, record } = clock;
  if (split) ordered = new ReorderingSink(history, () => now());
  const failure = new RunFailure();

  let phase: Phase = "setup";
  const setPhase = (p: Phase) => {
    phase = p;
    if (p === "warmup" || p === "measure" || p === "drain")
      record({ t: now(), process: "harness", type: "info", f: "phase", phase: p });
    progress({ type: "phase", phase: p, elapsedMs: clock.started ? now() / 1000 : 0 });
  };

  const supervisor = new Supervisor();
  watchNodes(supervisor, {
    record,
    now,
    progress,
    fail: failure.fail,
    tearingDown: () => phase === "teardown",
  });
  const onAbort = () => failure.fail(new FaultbenchError("FB_RUN_ABORTED", "the run was interrupted"));
  if (o.signal?.aborted) onAbort();
  o.signal?.addEventListener("abort", onAbort, { once: true });

  const tracker = new DeliveryTracker();
  let delivered = 0;
  const sink: DeliverySink = {
    delivered(process, node, producer, from, to, position) {
      record({ t: now(), process, type: "ok", f: "deliver", producer, from, to, node, ...position });
      tracker.arrived(producer, from, to);
      delivered += to - from + 1;
    },
    groupEvent(process, e) {
      record({ t: now(), process, type: "info", f: "group", node: process, ...e });
    },
    unparsed(process, count, sample, corrupt) {
      record({
        t: now(),
        process,
        type: "ok",
        f: "deliver-unparsed",
        count,
        sample,
        ...(corrupt ? { corrupt: true } : {}),
      });
    },
  };

  let target: Target | undefined;
  let client: Client | undefined;
  let loop: LoadLoop | WorkerLoad | AutocannonLoad | RemoteLoad | undefined;
  let nemeses: (NodeNemesis | NetworkNemesis)[] = [];
  let stopTicker = () => {};
  // CPU of every process, to tell when the load path and not the engine was the bottleneck.
  const sampler = runSampler(supervisor, () => now() / 1e6);
  try {
    // Step 1, setup: the target boots (or attaches), then its client connects.
    setPhase("setup");
    const def = targetFor(scenario.engine);
    if (!def) throw new FaultbenchError("FB_INTERNAL", `no target registered as "${scenario.engine}"`);
    const made = await def.create({
      scenario,
      supervisor,
      runDir,
      projectRoot: o.projectRoot,
      sink,
      samples: { now, record },
    });
    target = made.target;
    client = made.client;
    await failure.race(target.start());
    await failure.race(client.start());
    const onOutcome = (
      producer: number,
      from: number,
      to: number,
      type: string,
      seqs?: readonly number[],
    ) => {
      if (type === "fail") return;
      if (seqs) for (const q of seqs) tracker.awaited(producer, q, q);
      else tracker.awaited(producer, from, to);
    };
    // The open-loop load: in this process, or split over load worker processes.
    const theLoop = o.remoteWorkers
      ? new RemoteLoad(scenario, o.remoteWorkers, {
          client,
          scenarioText: readFileSync(join(runDir, "scenario.yaml"), "utf8"),
          runDir,
          now,
          record,
          onOutcome,
          fail: failure.fail,
        })
      : w.workers
        ? new WorkerLoad(scenario, {
            client,
            supervisor,
            runDir,
            projectRoot: o.projectRoot,
            now,
            record,
            onOutcome,
          })
        : w.generator === "autocannon"
          ? new AutocannonLoad(scenario, { client, now, record, onOutcome })
          : new LoadLoop(scenario, { client, now, record, onOutcome });
    loop = theLoop;
    if (theLoop instanceof WorkerLoad || theLoop instanceof RemoteLoad) await failure.race(theLoop.prepare());

    // Step 2, the load: t = 0, warmup then measure, the nemeses beside the open-loop load.
    clock.startLoad((epoch) => ({
      t: 0,
      process: "harness",
      type: "info",
      f: "start",
      schemaVersion: 1,
      scenario: scenario.name,
      seed: scenario.seed,
      epoch,
      generatorVersion: GENERATOR_VERSION,
    }));
    sampler.start();
    setPhase("warmup");
    const measureTimer = setTimeout(() => setPhase("measure"), w.warmup);
    stopTicker = startProgressTicker({
      counters: () => theLoop.counters,
      delivered: () => delivered,
      now,
      onTick: (t) => progress({ type: "tick", phase, ...t }),
    });
    nemeses = startNemeses(scenario, target, {
      now,
      record,
      fail: failure.fail,
      onEvent: (e) => progress({ type: "fault", elapsedMs: now() / 1000, ...e }),
    });
    try {
      await failure.race(theLoop.run());
    } finally {
      clearTimeout(measureTimer);
    }

    // Step 3, drain: heals done, answers in, acked messages delivered (or the drain time is up).
    setPhase("drain");
    await failure.race(
      drain({
        nemeses,
        settled: () => theLoop.settled(),
        awaiting: () => tracker.awaiting,
        drainMs: w.drain,
      }),
    );
    record({ t: now(), process: "harness", type: "info", f: "phase", phase: "done" });
  } catch (e) {
    failure.fail(e);
  } finally {
    // Step 4, teardown: every fault healed or cancelled, every process stopped, the history closed.
    sampler.stop();
    stopTicker();
    phase = "teardown";
    progress({ type: "phase", phase: "teardown", elapsedMs: clock.started ? now() / 1000 : 0 });
    o.signal?.removeEventListener("abort", onAbort);
    for (const n of nemeses) n.cancel();
    for (const n of nemeses) if (n instanceof NetworkNemesis) await n.idle().catch(() => undefined);
    await loop?.stop().catch(() => undefined);
    await client?.close().catch(() => undefined);
    await target?.close().catch(() => undefined);
    await supervisor.shutdown().catch(() => undefined);
    // Never started the load: keep what happened during setup, at its setup-relative times.
    clock.flushSetup();
    ordered?.close();
    history.close();
    rmSync(join(runDir, "data"), { recursive: true, force: true });
  }

  // Step 5, results.
  const results = await buildResults({
    runDir,
    scenario,
    startedAt,
    projectRoot: o.projectRoot,
    ...(failure.broken ? { failure: failure.cause } : {}),
  });
  results.resources = resourcesOf(
    sampler,
    { fromS: w.warmup / 1000, toS: (w.warmup + w.duration) / 1000 },
    { ...results.throughput, ...(loop?.counters ?? emptyCounters()) },
    loop instanceof RemoteLoad ? loop.cpuFigures() : [],
  );
  results.harnessBound = results.resources.harnessBound;
  if (loop instanceof RemoteLoad) results.distributed = loop.summary();
  writeResults(runDir, results);
  return { runDir, results };
}

/** Node exits go to the history and the progress line; an exit nobody asked for breaks the run. */
function watchNodes(
  supervisor: Supervisor,
  d: {
    record: RunClock["record"];
    now: () => number;
    progress: (e: ProgressEvent) => void;
    fail: (e: unknown) => void;
    tearingDown: () => boolean;
  },
): void {
  supervisor.onExit = (exit) => {
    d.record({ t: d.now(), process: "supervisor", type: "info", f: "exit", ...exit });
    d.progress({ type: "node-exit", ...exit });
  };
  supervisor.onCrash = (exit) => {
    // During setup too: a node that dies after its ready line must not go unnoticed.
    if (d.tearingDown()) return;
    d.fail(
      new FaultbenchError(
        "FB_ENGINE_CRASHED",
        `${exit.node} exited unexpectedly (code ${exit.code}, signal ${exit.signal}); see logs/${exit.node}.log`,
        { context: { node: exit.node, exitCode: exit.code ?? undefined, signal: exit.signal ?? undefined } },
      ),
    );
  };
}

/** Starts the node and network nemeses on the target's timeline. */
export function startNemeses(
  scenario: Scenario,
  target: Target,
  d: {
    now: () => number;
    record: RunClock["record"];
    fail: (e: unknown) => void;
    onEvent: (e: FaultEvent) => void;
  },
): (NodeNemesis | NetworkNemesis)[] {
  const w = scenario.workload;
  const node = new NodeNemesis(scenario.faults.filter(isNodeFault), {
    target,
    fatal: d.fail,
    now: d.now,
    record: d.record,
    onEvent: d.onEvent,
  });
  const out: (NodeNemesis | NetworkNemesis)[] = [node];
  const net = target.network();
  const networkFaults = scenario.faults.filter(isNetworkFault);
  if (networkFaults.length > 0 && !net)
    throw new FaultbenchError("FB_INTERNAL", "network faults need the proxied links");
  if (net) {
    out.push(
      new NetworkNemesis(networkFaults, {
        client: net.client,
        links: net.links,
        now: d.now,
        loadEndUs: (w.warmup + w.duration) * 1000,
        record: d.record,
        onEvent: d.onEvent,
      }),
    );
  }
  for (const n of out) n.start();
  return out;
}

function emptyCounters() {
  return {
    offered: 0,
    sent: 0,
    acked: 0,
    failed: 0,
    indeterminate: 0,
    inFlight: 0,
    heldByInFlight: 0,
    lateTicks: 0,
  };
}
