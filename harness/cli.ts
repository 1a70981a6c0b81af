/**
 * The faultbench command line. Exit codes: 0 every expectation held, 1 an expectation or check
 * failed, 2 bad input or usage, 3 the run itself broke (an engine would not start or crashed, the
 * run was interrupted). Errors are printed as one clear message, never a stack trace, unless
 * FAULTBENCH_DEBUG is set.
 */

import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { exitCodeFor, FaultbenchError, isFaultbenchError } from "./errors.ts";
import type { Results } from "./results/types.ts";
import type { Scenario } from "./scenario/load.ts";
import { formatDuration, parseDuration } from "./scenario/units.ts";

// Everything heavier is imported by the command that needs it: `serve` starts engine processes
// (and restarts them mid-run), so it must not pay for the run loop, the checkers or the report
// builder.
const runModules = async () => {
  const [files, load, dir, progress, run, summary, report, index, registry] = await Promise.all([
    import("./cli/scenario-files.ts"),
    import("./scenario/load.ts"),
    import("./run/run-dir.ts"),
    import("./cli/progress.ts"),
    import("./run/run-scenario.ts"),
    import("./cli/summary.ts"),
    import("../reports/build-report.ts"),
    import("../reports/build-index.ts"),
    import("./targets/registry.ts"),
  ]);
  return { ...files, ...load, ...dir, ...progress, ...run, ...summary, ...report, ...index, ...registry };
};

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function intArg(name: string) {
  return (v: string) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a whole number`);
    return Number(v);
  };
}

function floatArg(name: string) {
  return (v: string) => {
    const n = Number(v.replace(/\/s$/, "").replace(/k$/i, "e3"));
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

function percentArg(v: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(v);
  if (!m) throw new InvalidArgumentError("write a percentage, e.g. 2%");
  return Number(m[1]) / 100;
}

function durationArg(v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0)
    throw new InvalidArgumentError("write a duration with a unit, e.g. 10s or 500ms");
  return ms;
}

async function runCommand(
  paths: string[],
  opts: {
    out: string;
    seed?: number;
    duration?: number;
    suiteDir?: string;
    workers?: string;
    workerTokenFile?: string;
  },
): Promise<number> {
  const {
    scenarioFiles,
    loadScenario,
    timestamp,
    progressPrinter,
    runScenario,
    runSummary,
    suiteSummary,
    writeReport,
    writeIndex,
    writeSuite,
    targetFor,
  } = await runModules();
  const { files, folders } = scenarioFiles(paths);
  const overrides = {
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.duration === undefined ? {} : { durationMs: opts.duration }),
  };
  // Validate everything before running anything: a typo in the fourth file should not cost the
  // first three runs.
  const scenarios: Scenario[] = [];
  const problems: string[] = [];
  for (const f of files) {
    try {
      scenarios.push(await loadScenario(relative(process.cwd(), f) || f, overrides));
    } catch (e) {
      if (isFaultbenchError(e) && e.code === "FB_SCENARIO_INVALID")
        problems.push(...(e.context.problems ?? [e.message]));
      else throw e;
    }
  }
  if (problems.length > 0) {
    throw new FaultbenchError(
      "FB_SCENARIO_INVALID",
      `invalid scenario:\n${problems.map((p) => `  ${p}`).join("\n")}`,
      {
        context: { problems },
      },
    );
  }
  const names = new Set<string>();
  for (const s of scenarios) {
    if (names.has(s.name))
      throw new FaultbenchError("FB_USAGE", `two scenarios are named "${s.name}"; names must differ`);
    names.add(s.name);
  }
  const { remoteWorkersOption } = await import("./remote/run-option.ts");
  const remoteWorkers = remoteWorkersOption(opts, scenarios);

  const suite = scenarios.length > 1 || folders.length > 0;
  const suiteDir =
    opts.suiteDir ??
    (suite ? join(opts.out, `${timestamp()}-${folders.length === 1 ? folders[0] : "suite"}`) : undefined);
  if (suiteDir) mkdirSync(suiteDir, { recursive: true });
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(
        "\ninterrupted: stopping every node and keeping the partial results (Ctrl-C again to force)\n",
      );
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);

  const done: { results: Results; runDir: string }[] = [];
  const skipped: string[] = [];
  try {
    for (const scenario of scenarios) {
      if (controller.signal.aborted) break;
      // A target whose server is not installed here (a peer engine): skipped, with the fix.
      const unavailable = targetFor(scenario.engine)?.unavailable?.();
      if (unavailable) {
        skipped.push(scenario.name);
        process.stdout.write(`${scenario.name}: skipped: ${unavailable}\n\n`);
        continue;
      }
      const printer = progressPrinter(scenario.name);
      const { runDir, results } = await runScenario({
        scenario,
        outDir: suiteDir ?? opts.out,
        projectRoot,
        signal: controller.signal,
        onProgress: printer.onProgress,
        ...(remoteWorkers ? { remoteWorkers } : {}),
      });
      printer.finish();
      done.push({ results, runDir });
      process.stdout.write(`${runSummary(results, runDir)}\n`);
      await reportStep("report", () => writeReport(runDir, { results }));
      process.stdout.write("\n");
    }
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
  if (suiteDir) {
    writeSuite(suiteDir, done);
    process.stdout.write(`${suiteSummary(done, suiteDir)}\n`);
    await reportStep("index", async () => writeIndex(suiteDir));
  }
  if (skipped.length > 0) process.stdout.write(`skipped ${skipped.length}: ${skipped.join(", ")}\n`);
  if (controller.signal.aborted || done.some((d) => d.results.status === "errored")) return 3;
  return done.every((d) => d.results.status === "passed") ? 0 : 1;
}

interface RunOptions {
  out: string;
  seed?: number;
  duration?: number;
  repeat?: number;
  baseline?: string;
  strictEnv?: boolean;
  workers?: string;
  workerTokenFile?: string;
}

/** `run` with --repeat and/or --baseline: repeats go into one repeat set, then the gate compares. */
async function gatedRun(paths: string[], opts: RunOptions): Promise<number> {
  const { repeat, baseline, strictEnv, ...runOpts } = opts;
  if (repeat === 0) throw new FaultbenchError("FB_USAGE", "--repeat must be at least 1");
  if ((repeat ?? 1) === 1 && baseline === undefined) return runCommand(paths, runOpts);
  const [{ runRepeats }, { afterRuns }, { timestamp }] = await Promise.all([
    import("./repeat/run-repeats.ts"),
    import("./compare/commands.ts"),
    import("./run/run-dir.ts"),
  ]);
  const label = setLabel(paths);
  let dir: string;
  let code: number;
  if ((repeat ?? 1) > 1) {
    const set = await runRepeats(repeat as number, opts.out, label, (suiteDir) =>
      runCommand(paths, { ...runOpts, suiteDir }),
    );
    process.stdout.write(`\nrepeat set: ${set.dir} (aggregate.json)\n`);
    ({ dir, code } = set);
  } else {
    dir = join(opts.out, `${timestamp()}-${label}`);
    code = await runCommand(paths, { ...runOpts, suiteDir: dir });
  }
  return afterRuns(dir, code, {
    ...(baseline === undefined ? {} : { baseline }),
    strictEnv: strictEnv === true,
  });
}

/** Names a repeat set after its one scenario file or folder. */
function setLabel(paths: string[]): string {
  if (paths.length !== 1) return "suite";
  const base = (paths[0] as string).replace(/\/+$/, "").split("/").pop() ?? "suite";
  return base.replace(/\.ya?ml$/, "") || "suite";
}

/**
 * Builds one report after a run and prints its path and build time. A report that cannot be built
 * is a warning, not a failed run: the results are already on disk and `faultbench report` can retry.
 */
async function reportStep(what: string, build: () => Promise<string>): Promise<void> {
  const t = performance.now();
  try {
    const path = await build();
    process.stdout.write(`  ${what}: ${path} (built in ${Math.round(performance.now() - t)} ms)\n`);
  } catch (e) {
    process.stderr.write(
      `faultbench: warning: the ${what} could not be built: ${(e as Error)?.message ?? e}\n`,
    );
  }
}

async function reportCommand(dirs: string[], opts: { out?: string }): Promise<number> {
  const [{ writeCompare }, { loadSuite, writeIndex }, { writeReport }] = await Promise.all([
    import("../reports/build-compare.ts"),
    import("../reports/build-index.ts"),
    import("../reports/build-report.ts"),
  ]);
  for (const d of dirs) {
    if (!existsSync(d) || !statSync(d).isDirectory())
      throw new FaultbenchError(
        "FB_RUN_DIR",
        `${d}: no such directory; give a run directory (it holds results.json)`,
      );
  }
  const [first, second] = dirs as [string, string | undefined];
  if (second !== undefined) {
    if (!existsSync(join(first, "results.json")) || !existsSync(join(second, "results.json")))
      throw new FaultbenchError(
        "FB_RUN_DIR",
        `report with two directories compares two runs: ${[first, second].filter((d) => !existsSync(join(d, "results.json"))).join(", ")} is not a run directory (no results.json)`,
      );
    process.stdout.write(
      `${await writeCompare(first, second, opts.out === undefined ? {} : { out: opts.out })}\n`,
    );
    return 0;
  }
  if (existsSync(join(first, "results.json"))) {
    process.stdout.write(`${await writeReport(first, opts.out === undefined ? {} : { out: opts.out })}\n`);
    return 0;
  }
  // A suite directory: rebuild each run's report, then the index.
  let runs: ReturnType<typeof loadSuite>;
  try {
    runs = loadSuite(first);
  } catch (e) {
    if (isFaultbenchError(e) && /not a suite directory/.test(e.message))
      throw new FaultbenchError(
        "FB_RUN_DIR",
        `${first}: not a run directory (no results.json) nor a suite directory (no suite.json)`,
      );
    throw e;
  }
  for (const r of runs) process.stdout.write(`${await writeReport(join(first, r.runDir))}\n`);
  process.stdout.write(`${writeIndex(first, opts.out === undefined ? {} : { out: opts.out })}\n`);
  return 0;
}

async function checkCommand(runDir: string): Promise<number> {
  const [
    { scenarioFromText },
    { readHistory },
    { allHeld, analyze },
    { diffFigures, FLOAT_TOLERANCE },
    { requiredFaultsMissing },
    { GENERATOR_VERSION },
  ] = await Promise.all([
    import("./scenario/load.ts"),
    import("./history/reader.ts"),
    import("./run/analyze.ts"),
    import("./checkers/compare-results.ts"),
    import("./checkers/fault-applied.ts"),
    import("./generator/version.ts"),
  ]);
  const scenarioPath = join(runDir, "scenario.yaml");
  let text: string;
  try {
    text = readFileSync(scenarioPath, "utf8");
  } catch {
    throw new FaultbenchError("FB_RUN_DIR", `${runDir}: not a run directory (no scenario.yaml)`);
  }
  const scenario = scenarioFromText(text, scenarioPath);
  const ops = await readHistory(join(runDir, "history.ndjson"));
  const analysis = analyze(ops, scenario);
  let stored: Results | undefined;
  try {
    stored = JSON.parse(readFileSync(join(runDir, "results.json"), "utf8")) as Results;
  } catch {
    stored = undefined;
  }
  const held = allHeld(analysis.checks);
  for (const c of analysis.checks) {
    process.stdout.write(
      `${c.valid === true ? "ok  " : c.valid === false ? "FAIL" : "??? "}  ${c.name}: ${c.detail}\n`,
    );
  }
  const verdict = held ? "passed" : "failed";
  process.stdout.write(`\nverdict: ${verdict} (${ops.length} history ops re-checked offline)\n`);
  const start = ops.find((o) => o.f === "start") as { generatorVersion?: number } | undefined;
  const recorded = start?.generatorVersion;
  if (recorded !== GENERATOR_VERSION) {
    process.stdout.write(
      `note: ${recorded === undefined ? "the history does not record its generator version" : `the history was planned by generator version ${recorded}`}; this is version ${GENERATOR_VERSION}: intended send times, and the latencies from them, may differ\n`,
    );
  }
  const missingFaults = requiredFaultsMissing(analysis.faults);
  if (missingFaults) process.stdout.write(`the run is errored: ${missingFaults}\n`);
  let tampered = false;
  if (stored) {
    const { diffs, missing } = diffFigures(
      stored as unknown as Record<string, unknown>,
      analysis as unknown as Record<string, unknown>,
    );
    if (missing.length > 0)
      process.stdout.write(`not in results.json (older format): ${missing.join(", ")}\n`);
    if (diffs.length === 0) {
      process.stdout.write(`every figure matches results.json (floats within ${FLOAT_TOLERANCE})\n`);
    } else {
      tampered = true;
      process.stdout.write(
        `${diffs.length} figure${diffs.length === 1 ? "" : "s"} of results.json differ from the recomputed ones (floats within ${FLOAT_TOLERANCE}):\n`,
      );
      for (const d of diffs) {
        process.stdout.write(
          `  ${d.path}: results.json ${JSON.stringify(d.stored)}, recomputed ${JSON.stringify(d.recomputed)}\n`,
        );
      }
    }
  }
  if (stored) {
    const storedVerdict = stored.status === "errored" ? "errored" : stored.status;
    if (storedVerdict === "errored") {
      process.stdout.write(`the run itself was marked errored: ${stored.error?.message ?? "?"}\n`);
      // A run that broke cannot pass on the partial history it left.
      return 3;
    } else if (missingFaults) {
      return 3;
    } else if (storedVerdict !== verdict) {
      process.stdout.write(`note: results.json says ${storedVerdict}; the offline check says ${verdict}\n`);
    } else {
      process.stdout.write("same verdict as results.json\n");
    }
  }
  if (missingFaults) return 3;
  return held && !tampered ? 0 : 1;
}

async function listCommand(folder: string): Promise<number> {
  const [{ scenarioFiles }, { loadScenario }] = await Promise.all([
    import("./cli/scenario-files.ts"),
    import("./scenario/load.ts"),
  ]);
  const { files } = scenarioFiles([folder]);
  for (const f of files) {
    try {
      const s = await loadScenario(relative(process.cwd(), f));
      const w = s.workload;
      const faults =
        s.faults.map((x) => `${x.kind} ${x.target}@${formatDuration(x.at)}`).join(", ") || "no faults";
      process.stdout.write(
        `${s.name.padEnd(34)} ${s.engine.padEnd(6)} ${formatDuration(w.warmup + w.duration).padStart(5)}  ${faults}\n`,
      );
      const first = s.description.trim().split("\n")[0];
      if (first) process.stdout.write(`${"".padEnd(34)} ${first.slice(0, 100)}\n`);
    } catch (e) {
      process.stdout.write(
        `${relative(process.cwd(), f)}: INVALID — ${(e as Error).message.split("\n")[1]?.trim() ?? ""}\n`,
      );
    }
  }
  return 0;
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("faultbench")
    .description("benchmark and fault-injection harness for streaming systems")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  program
    .command("run")
    .description("run scenario files, or every scenario in a folder, and write a run directory for each")
    .argument("<scenario-or-folder...>", "YAML scenario files or folders of them")
    .option("--out <dir>", "where run directories are written", "reports/runs")
    .addOption(new Option("--seed <n>", "override every scenario's seed").argParser(intArg("--seed")))
    .addOption(
      new Option("--duration <d>", "override the measured duration, e.g. 10s").argParser(durationArg),
    )
    .addOption(
      new Option(
        "--repeat <n>",
        "run everything N times (a suite directory per repeat, plus aggregate.json)",
      ).argParser(intArg("--repeat")),
    )
    .option(
      "--baseline <name>",
      "afterwards, compare with this saved baseline (or directory); exit 1 on a regression",
    )
    .option("--strict-env", "with --baseline: refuse a baseline from a different machine class", false)
    .option(
      "--workers <list>",
      "send the load from remote workers: http://h1:p,http://h2:p or a file listing them",
    )
    .option("--worker-token-file <file>", "the workers' shared token (else FAULTBENCH_WORKER_TOKEN)")
    .action(async (paths: string[], opts: RunOptions) => {
      setExit(await gatedRun(paths, opts));
    });

  program
    .command("k8s")
    .description("Kubernetes deployment of a distributed run")
    .command("render")
    .description(
      "print the manifests of a distributed run (workers as an Indexed Job, the coordinator as a Job)",
    )
    .argument("<scenario>", "the scenario file (engine: kafka or flume, reachable from the cluster)")
    .addOption(
      new Option("--workers <n>", "load worker pods").argParser(intArg("--workers")).makeOptionMandatory(),
    )
    .requiredOption("--image <image>", "the faultbench image (built from the repository's Dockerfile)")
    .option("--namespace <ns>", "namespace of every object", "default")
    .option(
      "--token-secret <name>",
      "Secret with key `token`, the shared worker token",
      "faultbench-worker-token",
    )
    .option("--worker-cpu <cpu>", "CPU request per worker", "1")
    .option("--worker-memory <mem>", "memory request and limit per worker", "512Mi")
    .option("--coordinator-cpu <cpu>", "CPU request of the coordinator", "1")
    .option("--coordinator-memory <mem>", "memory request and limit of the coordinator", "1Gi")
    .option("--runs-storage <size>", "size of the run-directory volume", "1Gi")
    .option("--out <file>", "write the manifests here instead of stdout")
    .action(async (file: string, opts: import("./k8s/render-command.ts").RenderCommandOptions) => {
      const { renderCommand } = await import("./k8s/render-command.ts");
      const text = await renderCommand(file, opts);
      if (opts.out) process.stdout.write(`${opts.out}\n`);
      else process.stdout.write(text);
    });

  program
    .command("worker")
    .description("serve a load worker that a coordinator (run --workers) drives over HTTP")
    .option("--listen <host:port>", "where the control API listens (port 0 = any)", "127.0.0.1:7070")
    .option("--allow-remote", "listen on a non-loopback address (needs a token)", false)
    .option("--token-file <file>", "the shared token (else FAULTBENCH_WORKER_TOKEN)")
    .option("--once", "exit after the coordinator releases the first run (a Kubernetes Job's pod)", false)
    .action(async (opts: { listen: string; allowRemote: boolean; tokenFile?: string; once: boolean }) => {
      const [{ serveProcess }, { serveWorker }, { readToken }] = await Promise.all([
        import("../engines/shared/serve-process.ts"),
        import("./remote/worker-server.ts"),
        import("./remote/token.ts"),
      ]);
      const m = /^(.+):(\d+)$/.exec(opts.listen);
      if (!m)
        throw new FaultbenchError(
          "FB_USAGE",
          `--listen ${opts.listen}: write host:port, e.g. 127.0.0.1:7070`,
        );
      const token = readToken(opts.tokenFile);
      const worker = await serveWorker({
        host: (m[1] as string).replace(/^\[|\]$/g, ""),
        port: Number(m[2]),
        allowRemote: opts.allowRemote,
        ...(token === undefined ? {} : { token }),
        ...(opts.once ? { onReleased: () => process.kill(process.pid, "SIGTERM") } : {}),
      });
      await serveProcess("worker", async () => ({
        ports: { http: worker.port },
        stop: () => worker.close(),
      }));
      setExit(-1);
    });

  program
    .command("check")
    .description("re-run the checkers on a run directory's history, offline, and print the verdict")
    .argument("<run-dir>", "a run directory (holds scenario.yaml and history.ndjson)")
    .action(async (dir: string) => {
      setExit(await checkCommand(dir));
    });

  program
    .command("report")
    .description(
      "build the HTML report of a run directory (report.html), the index of a suite directory " +
        "(index.html), or, given two run directories, a side-by-side comparison (compare.html in the second)",
    )
    .argument("<dir>", "a run directory (holds results.json) or a suite directory (holds suite.json)")
    .argument(
      "[candidate-dir]",
      "a second run directory: compare it (candidate) against the first (baseline)",
    )
    .option("--out <file>", "write the page here instead")
    .addHelpText(
      "after",
      "\nThe page is self-contained (charts included) and opens offline. Its path is printed on stdout.\n" +
        "Examples:\n  faultbench report reports/runs/<ts>-default/<ts>-agent-baseline\n" +
        "  faultbench report reports/runs/<ts>-default\n  faultbench report <baseline-run-dir> <candidate-run-dir> --out compare.html",
    )
    .action(async (dir: string, candidate: string | undefined, opts: { out?: string }) => {
      setExit(await reportCommand(candidate === undefined ? [dir] : [dir, candidate], opts));
    });

  program
    .command("capacity")
    .description(
      "find the highest rate (or trace speed) that holds every SLO: grow it until a step breaks one, then bisect",
    )
    .argument("<scenario>", "a YAML scenario file")
    .option(
      "--slo <expr...>",
      "an objective on a results.json path, e.g. 'latency.endToEnd.corrected.p99 < 50ms' (repeatable; default: that and 'delivery.lost == 0')",
      [],
    )
    .option("--out <dir>", "where the capacity directory is written", "reports/runs")
    .addOption(new Option("--seed <n>", "override the scenario's seed").argParser(intArg("--seed")))
    .addOption(new Option("--duration <d>", "measured duration of each step, e.g. 5s").argParser(durationArg))
    .addOption(
      new Option("--start <rate>", "the first step's load (default: the scenario's rate or speed)").argParser(
        floatArg("--start"),
      ),
    )
    .addOption(
      new Option("--factor <x>", "growth factor before the first bad step")
        .default(2)
        .argParser(floatArg("--factor")),
    )
    .addOption(
      new Option("--precision <pct>", "bisect until good and bad are this close, e.g. 2%")
        .default(0.02)
        .argParser(percentArg),
    )
    .addOption(
      new Option("--max-steps <n>", "most loads tried per search")
        .default(12)
        .argParser(intArg("--max-steps")),
    )
    .addOption(
      new Option(
        "--runs-per-step <n>",
        "runs per load; its verdict is their majority (3 steadies answers near the knee)",
      )
        .default(1)
        .argParser(intArg("--runs-per-step")),
    )
    .addOption(
      new Option("--repeat <n>", "run the whole search n times and report the spread")
        .default(1)
        .argParser(intArg("--repeat")),
    )
    .addOption(
      new Option(
        "--repeat-order <order>",
        "repeated searches take turns step by step (interleaved: machine drift hits all alike) or run one after another",
      )
        .choices(["interleaved", "sequential"])
        .default("interleaved"),
    )
    .action(async (file: string, opts: import("./cli/capacity-command.ts").CapacityCliOptions) => {
      const { capacityCommand } = await import("./cli/capacity-command.ts");
      setExit(await capacityCommand(file, opts, projectRoot));
    });

  program
    .command("sweep")
    .description(
      "run every design point of a scenario (a grid of --set values), and chart throughput, latency and scaling",
    )
    .argument("<scenario...>", "YAML scenario files (each is swept over the same points)")
    .option(
      "--set <path=values...>",
      "a scenario path and its values, e.g. workload.rate=10k,20k or topology.partitions=1,3,6 (repeatable)",
      [],
    )
    .option("--list", "pair the i-th values of every --set instead of crossing them into a grid", false)
    .option(
      "--capacity",
      "run a capacity search at every design point (the rate is searched, not set)",
      false,
    )
    .option(
      "--slo <expr...>",
      "objectives, as for capacity (default: e2e corrected p99 < 50ms, nothing lost)",
      [],
    )
    .option("--out <dir>", "where the sweep directory is written", "reports/runs")
    .addOption(new Option("--seed <n>", "override the scenarios' seed").argParser(intArg("--seed")))
    .addOption(new Option("--duration <d>", "measured duration of each run, e.g. 5s").argParser(durationArg))
    .addOption(
      new Option("--start <rate>", "with --capacity: the first step's rate").argParser(floatArg("--start")),
    )
    .addOption(
      new Option("--max-steps <n>", "with --capacity: most loads tried per search")
        .default(10)
        .argParser(intArg("--max-steps")),
    )
    .addOption(
      new Option("--runs-per-step <n>", "with --capacity: runs per load, judged by their majority")
        .default(1)
        .argParser(intArg("--runs-per-step")),
    )
    .action(async (paths: string[], opts: import("./cli/sweep-command.ts").SweepCliOptions) => {
      const { sweepCommand } = await import("./cli/sweep-command.ts");
      setExit(await sweepCommand(paths, opts, projectRoot));
    });

  program
    .command("list")
    .description("list the scenarios in a folder")
    .argument("[folder]", "folder of scenarios", "scenarios/default")
    .action(async (folder: string) => {
      setExit(await listCommand(folder));
    });

  const baselineCmd = program.command("baseline").description("keep runs as a named baseline for compare");
  baselineCmd
    .command("save")
    .description("save a compact copy of a run, suite or repeat set under reports/baselines/<name>/")
    .argument("<run-or-suite-dir>", "a run directory, suite directory or repeat set (run --repeat)")
    .option("--name <name>", "baseline name", "main")
    .action(async (dir: string, opts: { name: string }) => {
      const { baselineSaveCommand } = await import("./compare/commands.ts");
      setExit(await baselineSaveCommand(dir, opts));
    });

  program
    .command("compare")
    .description(
      "the regression gate: compare a candidate with a baseline (median change, interval, Mann–Whitney p); " +
        "writes compare.md, junit.xml, benchmark.json and compare.html; exit 1 on a regression",
    )
    .argument("<baseline>", "a saved baseline's name, or a run, suite, repeat-set or baseline directory")
    .argument("<candidate>", "a run, suite or repeat-set directory (or a baseline)")
    .option("--out <dir>", "where the outputs go (default: the candidate's directory)")
    .option("--strict-env", "refuse a baseline from a different machine class (cpu count or model)", false)
    .action(async (base: string, cand: string, opts: { out?: string; strictEnv: boolean }) => {
      const { compareCommand } = await import("./compare/commands.ts");
      setExit(await compareCommand(base, cand, opts));
    });

  program
    .command("noise")
    .description(
      "A/A: run a scenario (or folder) N times and store each key figure's coefficient of variation",
    )
    .argument("<scenario-or-folder>", "a YAML scenario file or a folder of them")
    .addOption(new Option("--repeat <n>", "repeats").default(5).argParser(intArg("--repeat")))
    .option("--out <dir>", "where the repeat set is written", "reports/runs")
    .addOption(new Option("--seed <n>", "override the scenario's seed").argParser(intArg("--seed")))
    .addOption(new Option("--duration <d>", "override the measured duration").argParser(durationArg))
    .action(async (path: string, opts: { repeat: number; out: string; seed?: number; duration?: number }) => {
      if (opts.repeat < 2)
        throw new FaultbenchError("FB_USAGE", "--repeat must be at least 2 to measure noise");
      const { noiseCommand } = await import("./compare/commands.ts");
      const { repeat, ...runOpts } = opts;
      setExit(
        await noiseCommand(repeat, setLabel([path]), opts.out, (suiteDir) =>
          runCommand([path], { ...runOpts, suiteDir }),
        ),
      );
    });

  program
    .command("trend")
    .description("draw each key figure over commits from every run under a folder, flagging change points")
    .argument(
      "<dir-of-runs>",
      "a folder holding run, suite or repeat-set directories (searched 4 levels deep)",
    )
    .option("--out <file>", "the page to write (default: trend.html in the folder; trend.json beside it)")
    .action(async (dir: string, opts: { out?: string }) => {
      const { trendCommand } = await import("./compare/commands.ts");
      setExit(trendCommand(dir, opts));
    });

  const serve = program.command("serve").description("run one engine node in the foreground");
  serve
    .command("agent")
    .description("a push-based channel agent (Flume-style properties config)")
    .requiredOption("--config <file>", "Flume properties file")
    .requiredOption("--name <name>", "agent name (the property prefix)")
    .addOption(
      new Option("--metrics-port <port>", "port of GET /metrics (0 = any)").argParser(
        intArg("--metrics-port"),
      ),
    )
    .action(async (opts: { config: string; name: string; metricsPort?: number }) => {
      const [{ serveProcess }, { serveAgent }] = await Promise.all([
        import("../engines/shared/serve-process.ts"),
        import("../engines/agent/main.ts"),
      ]);
      await serveProcess(opts.name, async () => {
        const agent = await serveAgent({
          configPath: opts.config,
          name: opts.name,
          ...(opts.metricsPort === undefined ? {} : { metricsPort: opts.metricsPort }),
        });
        return { ports: agent.ports, stop: () => agent.stop() };
      });
      setExit(-1);
    });
  serve
    .command("log")
    .description("a pull-based partitioned log broker that speaks the Kafka protocol")
    .requiredOption("--data <dir>", "data directory (topics, segments, committed offsets)")
    .addOption(new Option("--port <port>", "Kafka port (0 = any)").default(9092).argParser(intArg("--port")))
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--advertised-listener <host:port>", "address put in Metadata (e.g. a fault proxy in front)")
    .addOption(new Option("--node-id <n>", "broker id").default(1).argParser(intArg("--node-id")))
    .option("--name <name>", "node name in the ready line and logs", "broker-1")
    .option("--set <key=value...>", "broker settings, e.g. flush.messages=1", [])
    .option("--controllers <id@host:port,...>", "join a cluster: the controller quorum's voters")
    .option("--roles <roles>", "broker, controller or broker,controller (default: by --controllers)")
    .addOption(
      new Option("--controller-port <port>", "port this node's controller binds").argParser(
        intArg("--controller-port"),
      ),
    )
    .option("--peer <id=host:port...>", "how to reach broker id for replication (a proxy)", [])
    .action(
      async (opts: {
        data: string;
        port: number;
        host: string;
        advertisedListener?: string;
        nodeId: number;
        name: string;
        set: string[];
        controllers?: string;
        roles?: string;
        controllerPort?: number;
        peer: string[];
      }) => {
        const [{ serveProcess }, { serveLog, parseSets, parseListener }] = await Promise.all([
          import("../engines/shared/serve-process.ts"),
          import("../engines/log/main.ts"),
        ]);
        const config = parseSets(opts.set);
        const listener =
          opts.advertisedListener === undefined ? undefined : parseListener(opts.advertisedListener);
        if (opts.controllers !== undefined) {
          const { serveClusterNode, parseControllers, parsePeers, parseRoles } = await import(
            "../engines/log/cluster-node.ts"
          );
          const controllers = parseControllers(opts.controllers);
          const roles = parseRoles(
            opts.roles ?? (controllers.has(opts.nodeId) ? "broker,controller" : "broker"),
          );
          const peers = parsePeers(opts.peer);
          await serveProcess(opts.name, async () => {
            const node = await serveClusterNode({
              nodeId: opts.nodeId,
              roles,
              controllers,
              ...(opts.controllerPort === undefined ? {} : { controllerPort: opts.controllerPort }),
              host: opts.host,
              port: opts.port,
              dataDir: opts.data,
              peers,
              config,
              ...(listener ? { advertisedHost: listener.host, advertisedPort: listener.port } : {}),
            });
            return { ports: node.ports, stop: () => node.close() };
          });
          setExit(-1);
          return;
        }
        await serveProcess(opts.name, async () => {
          const broker = await serveLog({
            dataDir: opts.data,
            port: opts.port,
            host: opts.host,
            nodeId: opts.nodeId,
            config,
            ...(listener ? { advertisedHost: listener.host, advertisedPort: listener.port } : {}),
          });
          return { ports: { kafka: broker.port }, stop: () => broker.close() };
        });
        setExit(-1);
      },
    );

  serve
    .command("cluster")
    .description("a local log cluster in the foreground, each node its own `serve log` process")
    .requiredOption("--data <dir>", "data directory (one sub-directory per node)")
    .addOption(new Option("--brokers <n>", "number of brokers").default(3).argParser(intArg("--brokers")))
    .option("--controllers <n>", "1, 3 or combined (the Raft quorum inside brokers 1-3)", "combined")
    .option("--host <host>", "address every node binds", "127.0.0.1")
    .addOption(
      new Option("--port <port>", "first broker's Kafka port, the others follow (0 = any)")
        .default(9092)
        .argParser(intArg("--port")),
    )
    .option("--set <key=value...>", "settings for every node, e.g. min.insync.replicas=2", [])
    .option(
      "--racks <a,b,c>",
      "broker.rack of each broker in turn (fetch from followers needs --set replica.selector.class=RackAwareReplicaSelector too)",
    )
    .action(
      async (opts: {
        data: string;
        brokers: number;
        controllers: string;
        host: string;
        port: number;
        set: string[];
        racks?: string;
      }) => {
        const { serveCluster } = await import("../engines/log/tools/serve-cluster.ts");
        const controllers = opts.controllers === "combined" ? "combined" : Number(opts.controllers);
        await serveCluster({
          brokers: opts.brokers,
          controllers,
          dataDir: opts.data,
          host: opts.host,
          port: opts.port,
          sets: opts.set,
          racks: opts.racks ? opts.racks.split(",").map((r) => r.trim()) : [],
        });
        setExit(-1);
      },
    );

  serve
    .command("proxy")
    .description("a Toxiproxy-compatible fault proxy (HTTP API on --port)")
    .option("--host <host>", "address of the HTTP API", "127.0.0.1")
    .addOption(
      new Option("--port <port>", "port of the HTTP API (0 = any)").default(8474).argParser(intArg("--port")),
    )
    .option("--allow-remote", "allow proxies to listen on or forward to non-loopback addresses", false)
    .addOption(new Option("--seed <n>", "seed of the toxicity rolls").argParser(intArg("--seed")))
    .action(async (opts: { host: string; port: number; allowRemote: boolean; seed?: number }) => {
      const [{ serveProcess }, { serveProxy, envAllowsRemote }, { seededRandom }] = await Promise.all([
        import("../engines/shared/serve-process.ts"),
        import("./proxy/main.ts"),
        import("./generator/random.ts"),
      ]);
      await serveProcess("proxy", async () => {
        const proxy = await serveProxy({
          host: opts.host,
          port: opts.port,
          allowRemote: opts.allowRemote || envAllowsRemote(),
          ...(opts.seed === undefined ? {} : { random: seededRandom(opts.seed) }),
        });
        return { ports: { api: proxy.port }, stop: () => proxy.close() };
      });
      setExit(-1);
    });
  return program;
}

/** Runs the CLI; resolves to the exit code (-1 = keep running, a server is in the foreground). */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0)
        return 0;
      return 2;
    }
    if (process.env.FAULTBENCH_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
    if (isFaultbenchError(e)) {
      process.stderr.write(`faultbench: ${e.message}\n`);
      if (e.code === "FB_CONFIG_INVALID") {
        for (const p of e.context.problems ?? []) process.stderr.write(`  ${p}\n`);
      }
      return exitCodeFor(e);
    }
    process.stderr.write(`faultbench: unexpected error: ${(e as Error)?.message ?? e}\n`);
    return 3;
  }
}

// `faultbench list | head` closes the pipe early; that is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
});
const code = await main(process.argv);
if (code >= 0) process.exit(code);
