/**
 * Loading a scenario: YAML text → raw object → zod schema → cross-field rules → Scenario. Every
 * problem is collected and reported together, one line each, as `file: path: what is wrong`, and
 * the whole lot is thrown as one FB_SCENARIO_INVALID error (the CLI prints it and exits 2).
 */

import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { parseThreshold } from "../compare/thresholds.ts";
import { FaultbenchError } from "../errors.ts";
import { sliceProblem } from "../generator/slice.ts";
import { loadTrace, parseTrace } from "../generator/trace.ts";
import { linksBetween } from "../network/links.ts";
import { engineNames, targetFor } from "../targets/registry.ts";
import type { Problem, TopologyFacts } from "../targets/target.ts";
import { checkPath, type Expectation, parseExpectation } from "./expectation.ts";
import type { NamedFault, Scenario } from "./scenario.ts";
import { type ParsedScenario, scenarioSchema } from "./schema.ts";

import { formatDuration } from "./units.ts";

export type { NamedFault, Scenario } from "./scenario.ts";
export type { ParsedScenario } from "./schema.ts";

/** The topology facts of a scenario (nodes, links, consumers), from its target. */
export function factsOf(s: Scenario): TopologyFacts {
  const def = targetFor(s.engine);
  if (!def) throw new FaultbenchError("FB_INTERNAL", `no target registered as "${s.engine}"`);
  return def.facts(s);
}

export interface Overrides {
  seed?: number;
  /** Replaces workload.duration (ms). */
  durationMs?: number;
  /** The trace's text, when the file named in workload.trace is on another machine (remote workers). */
  traceText?: string;
}

/** Expectations every scenario gets unless it names the same path. */
export const defaultExpectations: Record<string, string | number> = {
  "delivery.lost": 0,
  "delivery.unexpected": 0,
  // A definite refusal that was delivered anyway is an anomaly (a partial commit upstream).
  "delivery.failedButDelivered": 0,
  "delivery.corrupted": 0,
};

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || "(top level)";
}

function issueMessages(file: string, issues: readonly z.core.$ZodIssue[]): string[] {
  const out: string[] = [];
  for (const iss of issues) {
    if (iss.code === "unrecognized_keys") {
      for (const k of iss.keys) out.push(`${file}: ${formatPath([...iss.path, k])}: ${iss.message}`);
      continue;
    }
    if (
      iss.code === "invalid_union" &&
      iss.errors.length > 0 &&
      iss.errors.every((errs) =>
        errs.some((e) => e.path.length === 0 && e.message.includes("received undefined")),
      )
    ) {
      out.push(`${file}: ${formatPath(iss.path)}: is required`);
      continue;
    }
    if (iss.code === "invalid_union" && iss.errors.length > 0) {
      // A union failed every branch; the most specific branch is the one with the deepest issue.
      const best = iss.errors
        .map((errs) => errs.filter((e) => e.code !== "invalid_type" || e.path.length > 0))
        .filter((errs) => errs.length > 0)
        .sort((a, b) => b.length - a.length)[0];
      if (best && !("discriminator" in iss)) {
        out.push(
          ...issueMessages(
            file,
            best.map((e) => ({ ...e, path: [...iss.path, ...e.path] })),
          ),
        );
        continue;
      }
    }
    let msg = iss.message;
    if (iss.code === "invalid_type" && msg.includes("received undefined")) msg = "is required";
    out.push(`${file}: ${formatPath(iss.path)}: ${msg}`);
  }
  return out;
}

/** Checks the faults against the topology's nodes and links and names them. */
function checkFaults(s: ParsedScenario, facts: TopologyFacts, p: Problem): NamedFault[] {
  const loadMs = s.workload.warmup + s.workload.duration;
  const names = new Set<string>();
  const linkNames = facts.links.map((l) => l.name);
  return s.faults.map((f, i) => {
    let target: string;
    if (f.kind === "toxic" || f.kind === "down") {
      target = f.link;
      if (!linkNames.includes(f.link))
        p(`faults[${i}].link`, `no link named "${f.link}"; links: ${linkNames.join(", ") || "(none)"}`);
    } else if (f.kind === "partition") {
      target = f.groups.map((g) => g.join(",")).join(" | ");
      const seen = new Set<string>();
      for (const [gi, g] of f.groups.entries()) {
        for (const [ni, n] of g.entries()) {
          if (!facts.endpoints.includes(n)) {
            p(
              `faults[${i}].groups[${gi}][${ni}]`,
              `no node named "${n}"; nodes: ${facts.endpoints.join(", ")}`,
            );
          }
          if (seen.has(n)) p(`faults[${i}].groups[${gi}][${ni}]`, `"${n}" is in two groups`);
          seen.add(n);
        }
      }
      if (linksBetween(facts.links, f.groups).length === 0) {
        p(`faults[${i}].groups`, "no link crosses these groups, so the partition would cut nothing");
      }
    } else {
      target = f.node;
      const able = facts.nodes.filter((n) => n.faults.includes(f.kind)).map((n) => n.name);
      const node = facts.nodes.find((n) => n.name === f.node);
      if (able.includes(f.node)) {
        // fine
      } else if (f.kind === "slow") {
        p(`faults[${i}].node`, `slow applies to collectors; collectors: ${able.join(", ") || "(none)"}`);
      } else if (node) {
        p(
          `faults[${i}].node`,
          node.hint ??
            `${f.kind} does not apply to "${f.node}"; it applies to: ${able.join(", ") || "(none)"}`,
        );
      } else {
        p(`faults[${i}].node`, `no node named "${f.node}"; nodes: ${able.join(", ") || "(none)"}`);
      }
      if (f.kind === "reassign" && able.length > 0) {
        if (!able.includes(f.from))
          p(`faults[${i}].from`, `no broker named "${f.from}"; brokers: ${able.join(", ")}`);
        else if (f.from === f.node)
          p(
            `faults[${i}].from`,
            `is "${f.node}", the broker the replicas move to; name the broker they leave`,
          );
      }
    }
    const name = f.name ?? `${f.kind}-${target.replace(/[^A-Za-z0-9_>-]+/g, "_")}@${formatDuration(f.at)}`;
    if (names.has(name)) p(`faults[${i}].name`, `"${name}" is used by two faults; give one a name`);
    names.add(name);
    if (f.at >= loadMs) {
      p(
        `faults[${i}].at`,
        `${formatDuration(f.at)} is after the load ends (warmup + duration = ${formatDuration(loadMs)})`,
      );
    }
    return { ...f, name, target };
  });
}

/** Every engine's name, for messages. */
function knownEngines(): string {
  return engineNames().join(", ");
}

/** Applies defaults and names; checks everything that spans several fields. */
function crossCheck(
  file: string,
  s: ParsedScenario,
  rawTopology: unknown,
): { problems: string[]; scenario?: Omit<Scenario, "raw" | "file"> } {
  const problems: string[] = [];
  const p: Problem = (path, msg) => problems.push(`${file}: ${path}: ${msg}`);
  const { expect: _e, faults: _f, topology: _t, ...rest } = s;

  const def = targetFor(s.engine);
  if (!def)
    return { problems: [`${file}: engine: no target named "${s.engine}"; targets: ${knownEngines()}`] };
  const parsed = def.topology.safeParse(rawTopology ?? {});
  if (!parsed.success) {
    return {
      problems: issueMessages(
        file,
        parsed.error.issues.map((i) => ({ ...i, path: ["topology", ...i.path] })),
      ),
    };
  }
  const accepted = new Set(def.workloadFields ?? []);
  for (const k of targetWorkloadFields()) {
    if (s.workload[k as keyof typeof s.workload] === undefined || accepted.has(k)) continue;
    const takers = engineNames().filter((e) => targetFor(e)?.workloadFields?.includes(k));
    p(`workload.${k}`, `applies to the ${takers.join(", ")} engine${takers.length === 1 ? "" : "s"} only`);
  }
  const topology = def.resolve ? def.resolve(parsed.data, s, p) : parsed.data;
  const base = { ...rest, topology };
  const facts = def.facts({ ...base, faults: [], expectations: [], raw: {}, file });
  const faults = checkFaults(s, facts, p);
  if (s.workload.generator === "autocannon" && s.workload.workers !== undefined)
    p("workload.workers", "autocannon runs in the harness; drop workers");
  if (s.workload.workers !== undefined) {
    const bad = sliceProblem(s.workload.workers, s.workload.producers);
    if (bad) p("workload.workers", bad);
  }

  const merged: Record<string, string | number> = { ...defaultExpectations, ...s.expect };
  const expectations: Expectation[] = [];
  const consumerSide = facts.consumers;
  // Brokers are the servers that lead partitions (the log's controllers lead none).
  const brokers = facts.nodes
    .filter((n) => n.role === "server" && n.name.startsWith("broker-"))
    .map((n) => n.name);
  for (const [path, raw] of Object.entries(merged)) {
    let bad = checkPath(
      path,
      faults.map((f) => f.name),
    );
    const by = /^deliveredBy\.(.+)$/.exec(path);
    if (!bad && by && !consumerSide.includes(by[1] as string)) {
      bad = `no collector or consumer named "${by[1]}"; here: ${consumerSide.join(", ")}`;
    }
    if (
      !bad &&
      facts.leadership &&
      /^leadership\.byBroker\./.test(path) &&
      !brokers.some((b) => `leadership.byBroker.${b}` === path)
    )
      bad = `no broker named "${path.slice("leadership.byBroker.".length)}"; here: ${brokers.join(", ")}`;
    if (!bad && path.startsWith("leadership.") && !facts.leadership) {
      bad = `leadership.* is recorded for a log cluster only (topology.brokers 2 or more, or dedicated controllers)`;
    }
    if (!bad && path.startsWith("order.") && !facts.ordered) {
      bad = `order.* needs deliveries with partition and offset, which the ${s.engine} engine does not report`;
    }
    if (bad) {
      p(`expect.${path}`, bad);
      continue;
    }
    const e = parseExpectation(path, raw);
    if (typeof e === "string") p(`expect.${path}`, e);
    else expectations.push(e);
  }
  for (const [path, raw] of Object.entries(s.regression ?? {})) {
    const bad =
      checkPath(
        path,
        faults.map((f) => f.name),
      ) ?? parseThreshold(raw);
    if (typeof bad === "string") p(`regression.${path}`, bad);
  }
  return { problems, scenario: { ...base, faults, expectations } };
}

/** Workload fields that only some targets accept. */
function targetWorkloadFields(): Set<string> {
  return new Set(engineNames().flatMap((e) => targetFor(e)?.workloadFields ?? []));
}

/** Validates an already-parsed document. Throws FB_SCENARIO_INVALID with every problem. */
export function scenarioFromObject(raw: unknown, file: string, overrides: Overrides = {}): Scenario {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw invalid(file, [`${file}: the file must hold a mapping (name:, engine:, topology:, workload: …)`]);
  }
  const doc: Record<string, unknown> = structuredClone(raw as Record<string, unknown>);
  if (overrides.seed !== undefined) doc.seed = overrides.seed;
  if (overrides.durationMs !== undefined && typeof doc.workload === "object" && doc.workload !== null) {
    (doc.workload as Record<string, unknown>).duration = formatDuration(overrides.durationMs);
  }
  // A trace sets the timing, so a trace scenario needs no rate.
  const w = doc.workload as Record<string, unknown> | undefined;
  const traced = typeof w === "object" && w !== null && w.trace !== undefined;
  if (traced && w?.trace !== undefined) resolveTraceFile(w, file);
  const parsed = scenarioSchema.safeParse(
    traced && w?.rate === undefined ? { ...doc, workload: { ...w, rate: 0 } } : doc,
  );
  if (!parsed.success) {
    // Report the topology's problems in the same breath when the engine is known.
    const topo = typeof doc.engine === "string" ? targetFor(doc.engine)?.topology : undefined;
    const t = topo?.safeParse(doc.topology ?? {});
    const extra = t && !t.success ? t.error.issues.map((i) => ({ ...i, path: ["topology", ...i.path] })) : [];
    throw invalid(file, issueMessages(file, [...parsed.error.issues, ...extra]));
  }
  const traceProblems: string[] = [];
  const trace = parsed.data.workload.trace;
  if (trace) {
    if (w?.rate !== undefined)
      traceProblems.push(`${file}: workload.rate: a trace sets the timing; drop rate (or trace)`);
    try {
      trace.rows =
        overrides.traceText === undefined
          ? loadTrace(trace.file)
          : parseTrace(overrides.traceText, trace.file);
    } catch (e) {
      traceProblems.push(`${file}: workload.trace: ${(e as Error).message}`);
    }
  }
  if (traceProblems.length > 0) throw invalid(file, traceProblems);
  const { problems, scenario } = crossCheck(file, parsed.data, doc.topology);
  if (problems.length > 0 || !scenario) throw invalid(file, problems);
  doc.seed = scenario.seed;
  return { ...scenario, raw: doc, file } as Scenario;
}

/** Parses YAML text into a Scenario. */
export function scenarioFromText(text: string, file: string, overrides: Overrides = {}): Scenario {
  const parsed = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (parsed.errors.length > 0) {
    throw invalid(
      file,
      parsed.errors.map(
        (e) => `${file}: line ${(e.linePos?.[0]?.line ?? 0) || "?"}: ${e.message.split("\n")[0]}`,
      ),
    );
  }
  return scenarioFromObject(parsed.toJS(), file, overrides);
}

/** Reads and validates a scenario file. */
export async function loadScenario(file: string, overrides: Overrides = {}): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new FaultbenchError(
      "FB_SCENARIO_INVALID",
      `${file}: cannot read the file (${(cause as Error).message})`,
      {
        cause,
        context: { file, problems: [`${file}: cannot read the file`] },
      },
    );
  }
  return scenarioFromText(text, file, overrides);
}

/**
 * A trace file is named relative to the scenario; the resolved document (saved in the run
 * directory, read by load workers and `check`) names it absolutely.
 */
function resolveTraceFile(w: Record<string, unknown>, scenarioFile: string): void {
  const t = w.trace;
  const base = dirname(scenarioFile);
  if (typeof t === "string") w.trace = isAbsolute(t) ? t : resolve(base, t);
  else if (typeof t === "object" && t !== null && typeof (t as { file?: unknown }).file === "string") {
    const f = (t as { file: string }).file;
    w.trace = { ...t, file: isAbsolute(f) ? f : resolve(base, f) };
  }
}

function invalid(file: string, problems: string[]): FaultbenchError {
  return new FaultbenchError(
    "FB_SCENARIO_INVALID",
    `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n${problems.map((x) => `  ${x}`).join("\n")}`,
    { context: { file, problems } },
  );
}
