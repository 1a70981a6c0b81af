/**
 * One run, start to finish: boot the target through its driver, run the open-loop load and the
 * nemesis side by side, drain, stop everything, and turn the history into results.json. Whatever
 * happens — an engine crash, Ctrl-C, an error — every child process is stopped and the results
 * of what was recorded so far are written, marked `errored`.
 */

import { rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { AgentDriver, type AgentDriverOptions } from "../drivers/agent/agent-driver.ts";
import type { Driver } from "../drivers/driver.ts";
import { LogDriver } from "../drivers/log/log-driver.ts";
import { FaultbenchError, isFaultbenchError } from "../errors.ts";
import type { Op } from "../history/op.ts";
import { readHistory } from "../history/reader.ts";
import { HistoryWriter } from "../history/writer.ts";
import { isNetworkFault, NetworkNemesis } from "../nemesis/network-faults.ts";
import { type FaultEvent, isNodeFault, NodeNemesis } from "../nemesis/node-faults.ts";
import { resourcesOf, runSampler } from "../resources/run-resources.ts";
import type { Results, RunStatus } from "../results/types.ts";
import type { Scenario } from "../scenario/load.ts";
import { Supervisor } from "../supervisor/supervisor.ts";
import { ReorderingSink } from "../workers/reorder.ts";
import { WorkerLoad } from "../workers/worker-load.ts";
import { allHeld, analyze } from "./analyze.ts";
import { DeliveryTracker } from "./delivery-tracker.ts";
import { captureEnvironment } from "./environment.ts";
import { LoadLoop } from "./load-loop.ts";
import { createRunDir, writeResults, writeScenarioCopy } from "./run-dir.ts";

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

  // Ops before the load starts are held back and written with negative times once t = 0 is known.
  const setupStart = performance.now();
  let t0: number | undefined;
  const held: Op[] = [];
  const now = () => Math.round((performance.now() - (t0 ?? setupStart)) * 1000);
  // Load workers' ops arrive late and out of order: keep the history in time order.
  const ordered = w.workers ? new ReorderingSink(history, () => now()) : history;
  const record = (op: Op) => {
    if (t0 === undefined) held.push(op);
    else ordered.append(op);
  };
  let phase: Phase = "setup";
  const setPhase = (p: Phase) => {
    phase = p;
    if (p === "warmup" || p === "measure" || p === "drain")
      record({ t: now(), process: "harness", type: "info", f: "phase", phase: p });
    progress({ type: "phase", phase: p, elapsedMs: t0 === undefined ? 0 : now() / 1000 });
  };

  const tracker = new DeliveryTracker();
  let delivered = 0;
  const supervisor = new Supervisor();
  let failure: unknown;
  let wakeFailure!: (e: unknown) => void;
  const failed = new Promise<never>((_, reject) => {
    wakeFailure = reject;
  });
  failed.catch(() => undefined);
  const fail = (e: unknown) => {
    if (failure === undefined) failure = e;
    wakeFailure(e);
  };

  supervisor.onExit = (exit) => {
    record({ t: now(), process: "supervisor", type: "info", f: "exit", ...exit });
    progress({ type: "node-exit", ...exit });
  };
  supervisor.onCrash = (exit) => {
    // During setup too: a node that dies after its ready line must not go unnoticed.
    if (phase === "teardown") return;
    fail(
      new FaultbenchError(
        "FB_ENGINE_CRASHED",
        `${exit.node} exited unexpectedly (code ${exit.code}, signal ${exit.signal}); see logs/${exit.node}.log`,
        { context: { node: exit.node, exitCode: exit.code ?? undefined, signal: exit.signal ?? undefined } },
      ),
    );
  };
  const onAbort = () => fail(new FaultbenchError("FB_RUN_ABORTED", "the run was interrupted"));
  if (o.signal?.aborted) onAbort();
  o.signal?.addEventListener("abort", onAbort, { once: true });

  const driver: Driver = makeDriver({
    scenario,
    supervisor,
    runDir,
    projectRoot: o.projectRoot,
    samples: { now, record },
    sink: {
      delivered(process, node, producer, from, to, position) {
        record({ t: now(), process, type: "ok", f: "deliver", producer, from, to, node, ...position });
        tracker.arrived(producer, from, to);
        delivered += to - from + 1;
      },
      unparsed(process, count, sample) {
        record({ t: now(), process, type: "ok", f: "deliver-unparsed", count, sample });
      },
    },
  });
  const onOutcome = (producer: number, from: number, to: number, type: Op["type"]) => {
    if (type !== "fail") tracker.awaited(producer, from, to);
  };
  const loop = w.workers
    ? new WorkerLoad(scenario, {
        driver,
        supervisor,
        runDir,
        projectRoot: o.projectRoot,
        now,
        record,
        onOutcome,
      })
    : new LoadLoop(scenario, { driver, now, record, onOutcome });
  const nemesis = new NodeNemesis(scenario.faults.filter(isNodeFault), {
    driver,
    fatal: fail,
    now,
    record,
    onEvent: (e) => progress({ type: "fault", elapsedMs: now() / 1000, ...e }),
  });

  const sampler = runSampler(supervisor, () => now() / 1e6);
  let ticker: NodeJS.Timeout | undefined;
  let netNemesis: NetworkNemesis | undefined;
  try {
    setPhase("setup");
    await Promise.race([driver.start(), failed]);
    if (loop instanceof WorkerLoad) await Promise.race([loop.prepare(), failed]);

    t0 = performance.now();
    const shift = (t0 - setupStart) * 1000;
    history.append({
      t: 0,
      process: "harness",
      type: "info",
      f: "start",
      schemaVersion: 1,
      scenario: scenario.name,
      seed: scenario.seed,
      epoch: new Date(Date.now()).toISOString(),
    });
    for (const op of held) history.append({ ...op, t: Math.round(op.t - shift) });
    held.length = 0;

    sampler.start();
    setPhase("warmup");
    const measureTimer = setTimeout(() => setPhase("measure"), w.warmup);
    let last = { offered: 0, acked: 0, failed: 0, delivered: 0, at: 0 };
    ticker = setInterval(() => {
      const c = loop.counters;
      const at = now();
      const dt = (at - last.at) / 1e6 || 1;
      progress({
        type: "tick",
        phase,
        elapsedMs: at / 1000,
        offeredPerSec: (c.offered - last.offered) / dt,
        ackedPerSec: (c.acked - last.acked) / dt,
        deliveredPerSec: (delivered - last.delivered) / dt,
        failedPerSec: (c.failed - last.failed) / dt,
        inFlight: c.inFlight,
      });
      last = { offered: c.offered, acked: c.acked, failed: c.failed, delivered, at };
    }, 1000);

    const net = driver.network();
    const networkFaults = scenario.faults.filter(isNetworkFault);
    if (networkFaults.length > 0 && !net)
      throw new FaultbenchError("FB_INTERNAL", "network faults need the proxied links");
    netNemesis = net
      ? new NetworkNemesis(networkFaults, {
          client: net.client,
          links: net.links,
          now,
          loadEndUs: (w.warmup + w.duration) * 1000,
          record,
          onEvent: (e) => progress({ type: "fault", elapsedMs: now() / 1000, ...e }),
        })
      : undefined;
    nemesis.start();
    netNemesis?.start();
    try {
      await Promise.race([loop.run(), failed]);
    } finally {
      clearTimeout(measureTimer);
    }

    setPhase("drain");
    const drainDeadline = performance.now() + w.drain;
    await Promise.race([
      (async () => {
        await nemesis.idle();
        await netNemesis?.idle();
        // The drain clock starts when the last heal is done, if that was after the load.
        const deadline = Math.max(drainDeadline, performance.now() + w.drain);
        await loop.settled();
        while (tracker.awaiting > 0 && performance.now() < deadline) await sleep(20);
      })(),
      failed,
    ]);
    record({ t: now(), process: "harness", type: "info", f: "phase", phase: "done" });
  } catch (e) {
    if (failure === undefined) failure = e;
  } finally {
    sampler.stop();
    if (ticker) clearInterval(ticker);
    phase = "teardown";
    progress({ type: "phase", phase: "teardown", elapsedMs: t0 === undefined ? 0 : now() / 1000 });
    o.signal?.removeEventListener("abort", onAbort);
    nemesis.cancel();
    netNemesis?.cancel();
    await netNemesis?.idle().catch(() => undefined);
    await loop.stop().catch(() => undefined);
    await driver.close().catch(() => undefined);
    await supervisor.shutdown().catch(() => undefined);
    if (t0 === undefined) {
      // Never started the load: keep what happened during setup, at its setup-relative times.
      t0 = setupStart;
      for (const op of held) history.append(op);
    }
    if (ordered instanceof ReorderingSink) ordered.close();
    history.close();
    rmSync(join(runDir, "data"), { recursive: true, force: true });
  }

  const ops = await readHistory(join(runDir, "history.ndjson"));
  const analysis = analyze(ops, scenario);
  let status: RunStatus = allHeld(analysis.checks) ? "passed" : "failed";
  const results: Results = {
    schemaVersion: 1,
    scenario: scenario.name,
    description: scenario.description.trim(),
    engine: scenario.engine,
    seed: scenario.seed,
    status,
    startedAt: startedAt.toISOString(),
    environment: captureEnvironment(o.projectRoot),
    ...analysis,
  };
  results.resources = resourcesOf(
    sampler,
    { fromS: w.warmup / 1000, toS: (w.warmup + w.duration) / 1000 },
    { ...results.throughput, ...loop.counters },
  );
  results.harnessBound = results.resources.harnessBound;
  if (failure !== undefined) {
    status = "errored";
    results.status = status;
    results.error = isFaultbenchError(failure)
      ? { code: failure.code, message: failure.message }
      : { code: "FB_INTERNAL", message: String((failure as Error)?.stack ?? failure) };
  }
  writeResults(runDir, results);
  return { runDir, results };
}

function makeDriver(o: Omit<AgentDriverOptions, "scenario"> & { scenario: Scenario }): Driver {
  const { scenario } = o;
  if (scenario.engine === "agent") return new AgentDriver({ ...o, scenario });
  return new LogDriver({ ...o, scenario });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
