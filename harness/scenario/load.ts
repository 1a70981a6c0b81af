/**
 * Loading a scenario: YAML text → raw object → zod schema → cross-field rules → Scenario. Every
 * problem is collected and reported together, one line each, as `file: path: what is wrong`, and
 * the whole lot is thrown as one FB_SCENARIO_INVALID error (the CLI prints it and exits 2).
 */

import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { FaultbenchError } from "../errors.ts";
import { sliceProblem } from "../generator/slice.ts";
import { loadTrace } from "../generator/trace.ts";
import { agentShape, consumerNames, linksBetween, logShape, type TopologyShape } from "../topology/links.ts";
import { checkPath, type Expectation, parseExpectation } from "./expectation.ts";
import {
  type AgentTopology,
  agentTopologySchema,
  type FaultSpec,
  type LogTopology,
  logTopologySchema,
  type ParsedScenario,
  scenarioSchema,
} from "./schema.ts";
import { formatDuration } from "./units.ts";

export type NamedFault = FaultSpec & {
  name: string;
  /** What the fault acts on, for reports: a node, a link, or the partition's groups. */
  target: string;
};

interface ScenarioBase extends Omit<ParsedScenario, "faults" | "expect" | "topology" | "engine"> {
  faults: NamedFault[];
  /** The scenario's expectations plus the defaults it did not override. */
  expectations: Expectation[];
  /** The document as written, with CLI overrides applied; written to the run directory. */
  raw: Record<string, unknown>;
  file: string;
}

export interface AgentScenario extends ScenarioBase {
  engine: "agent";
  topology: AgentTopology & { entry: string };
}

export interface LogScenario extends ScenarioBase {
  engine: "log";
  topology: LogTopology;
}

export type Scenario = AgentScenario | LogScenario;

/** The nodes and links of a scenario, for wiring and validation. */
export function shapeOf(s: Scenario): TopologyShape {
  return s.engine === "agent" ? agentShape(s.topology) : logShape(s.topology, s.workload.consumers);
}

export interface Overrides {
  seed?: number;
  /** Replaces workload.duration (ms). */
  durationMs?: number;
}

/** Expectations every scenario gets unless it names the same path. */
export const defaultExpectations: Record<string, string | number> = {
  "delivery.lost": 0,
  "delivery.unexpected": 0,
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

type Problem = (path: string, msg: string) => void;

function checkAgentTopology(t: AgentTopology, p: Problem): AgentTopology & { entry: string } {
  const agents = Object.keys(t.agents);
  const collectors = Object.keys(t.collectors);
  const all = [...agents, ...collectors];
  if (agents.length === 0) p("topology.agents", "needs at least one agent");
  for (const n of agents) {
    if (collectors.includes(n)) p(`topology.collectors.${n}`, `"${n}" is already the name of an agent`);
  }
  if (all.includes("producers"))
    p("topology", `"producers" names the load generators; call the node something else`);
  const entry = t.entry ?? agents[0] ?? "";
  if (t.entry !== undefined && !agents.includes(t.entry)) {
    p("topology.entry", `no agent named "${t.entry}"; agents: ${agents.join(", ")}`);
  }
  for (const [name, a] of Object.entries(t.agents)) {
    a.sinks.forEach((target, i) => {
      if (!all.includes(target)) {
        p(`topology.agents.${name}.sinks[${i}]`, `no node named "${target}"; nodes: ${all.join(", ")}`);
      } else if (target === name) {
        p(`topology.agents.${name}.sinks[${i}]`, "an agent cannot sink to itself");
      }
    });
    if (a.channel.keepAlive !== undefined && a.channel.keepAlive % 1000 !== 0) {
      p(
        `topology.agents.${name}.channel.keepAlive`,
        "Flume's keep-alive is whole seconds: write 0s, 1s, 3s …",
      );
    }
    if (new Set(a.sinks).size !== a.sinks.length) p(`topology.agents.${name}.sinks`, "lists a target twice");
    if (a.sinks.length > 1 && a.processor === undefined) {
      p(`topology.agents.${name}.processor`, "is required with several sinks: failover or load_balance");
    }
    const txCap = a.channel.transactionCapacity ?? (a.channel.type === "memory" ? 100 : 10_000);
    const batch = a.batchSize ?? 100;
    if (batch > txCap) {
      p(
        `topology.agents.${name}.batchSize`,
        `${batch} is more than the channel's transactionCapacity (${txCap}); a sink takes its batch in one transaction`,
      );
    }
    if (a.processor?.type === "failover" && a.processor.priority) {
      const values = Object.values(a.processor.priority);
      if (new Set(values).size !== values.length) {
        p(
          `topology.agents.${name}.processor.priority`,
          "priorities must differ (Flume requires unique priorities)",
        );
      }
      for (const k of Object.keys(a.processor.priority)) {
        if (!a.sinks.includes(k)) {
          p(
            `topology.agents.${name}.processor.priority.${k}`,
            `not one of this agent's sinks (${a.sinks.join(", ")})`,
          );
        }
      }
    }
  }
  return { ...t, entry };
}

/** Checks the faults against the topology's nodes and links and names them. */
function checkFaults(
  s: ParsedScenario,
  shape: TopologyShape,
  collectors: string[],
  p: Problem,
): NamedFault[] {
  const loadMs = s.workload.warmup + s.workload.duration;
  const names = new Set<string>();
  const linkNames = shape.links.map((l) => l.name);
  return s.faults.map((f, i) => {
    let target: string;
    if (f.kind === "toxic" || f.kind === "down") {
      target = f.link;
      if (!linkNames.includes(f.link))
        p(`faults[${i}].link`, `no link named "${f.link}"; links: ${linkNames.join(", ")}`);
    } else if (f.kind === "partition") {
      target = f.groups.map((g) => g.join(",")).join(" | ");
      const seen = new Set<string>();
      for (const [gi, g] of f.groups.entries()) {
        for (const [ni, n] of g.entries()) {
          if (!shape.nodes.includes(n)) {
            p(`faults[${i}].groups[${gi}][${ni}]`, `no node named "${n}"; nodes: ${shape.nodes.join(", ")}`);
          }
          if (seen.has(n)) p(`faults[${i}].groups[${gi}][${ni}]`, `"${n}" is in two groups`);
          seen.add(n);
        }
      }
      if (linksBetween(shape.links, f.groups).length === 0) {
        p(`faults[${i}].groups`, "no link crosses these groups, so the partition would cut nothing");
      }
    } else if (f.kind === "slow") {
      target = f.node;
      if (!collectors.includes(f.node)) {
        p(
          `faults[${i}].node`,
          `slow applies to collectors; collectors: ${collectors.join(", ") || "(none)"}`,
        );
      }
    } else {
      target = f.node;
      if (!shape.processes.includes(f.node)) {
        p(`faults[${i}].node`, `no node named "${f.node}"; nodes: ${shape.processes.join(", ")}`);
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

/** Applies defaults and names; checks everything that spans several fields. */
function crossCheck(
  file: string,
  s: ParsedScenario,
  rawTopology: unknown,
): { problems: string[]; scenario?: Omit<Scenario, "raw" | "file"> } {
  const problems: string[] = [];
  const p: Problem = (path, msg) => problems.push(`${file}: ${path}: ${msg}`);
  const { expect: _e, faults: _f, topology: _t, engine: _g, ...rest } = s;

  let base: Omit<Scenario, "raw" | "file" | "faults" | "expectations">;
  let collectors: string[] = [];
  if (s.engine === "agent") {
    const parsed = agentTopologySchema.safeParse(rawTopology ?? {});
    if (!parsed.success) {
      return {
        problems: issueMessages(
          file,
          parsed.error.issues.map((i) => ({ ...i, path: ["topology", ...i.path] })),
        ),
      };
    }
    collectors = Object.keys(parsed.data.collectors);
    if (s.workload.acks !== undefined) p("workload.acks", "applies to the log engine only");
    for (const k of ["client", "retries", "idempotent"] as const) {
      if (s.workload[k] !== undefined) p(`workload.${k}`, "applies to the log engine only");
    }
    base = { ...rest, engine: "agent", topology: checkAgentTopology(parsed.data, p) };
  } else {
    const parsed = logTopologySchema.safeParse(rawTopology ?? {});
    if (!parsed.success) {
      return {
        problems: issueMessages(
          file,
          parsed.error.issues.map((i) => ({ ...i, path: ["topology", ...i.path] })),
        ),
      };
    }
    base = { ...rest, engine: "log", topology: parsed.data };
    if (s.workload.idempotent && s.workload.acks !== -1) {
      p("workload.idempotent", "idempotent producers need acks: all (add `acks: all` to the workload)");
    }
    if (s.workload.idempotent && s.workload.retries === 0) {
      p(
        "workload.retries",
        "idempotence is pointless without retries; remove `retries: 0` or the idempotence",
      );
    }
  }
  if (s.workload.workers !== undefined) {
    const bad = sliceProblem(s.workload.workers, s.workload.producers);
    if (bad) p("workload.workers", bad);
  }
  const shape = shapeOf({ ...base, faults: [], expectations: [], raw: {}, file } as Scenario);
  const faults = checkFaults(s, shape, collectors, p);

  const merged: Record<string, string | number> = { ...defaultExpectations, ...s.expect };
  const expectations: Expectation[] = [];
  const consumerSide = s.engine === "agent" ? collectors : consumerNames(s.workload.consumers);
  for (const [path, raw] of Object.entries(merged)) {
    let bad = checkPath(
      path,
      faults.map((f) => f.name),
    );
    const by = /^deliveredBy\.(.+)$/.exec(path);
    if (!bad && by && !consumerSide.includes(by[1] as string)) {
      bad = `no collector or consumer named "${by[1]}"; here: ${consumerSide.join(", ")}`;
    }
    if (!bad && path.startsWith("order.") && s.engine !== "log") {
      bad = "order.* is measured for the log engine only";
    }
    if (bad) {
      p(`expect.${path}`, bad);
      continue;
    }
    const e = parseExpectation(path, raw);
    if (typeof e === "string") p(`expect.${path}`, e);
    else expectations.push(e);
  }
  return { problems, scenario: { ...base, faults, expectations } as Omit<Scenario, "raw" | "file"> };
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
    const topo =
      doc.engine === "agent" ? agentTopologySchema : doc.engine === "log" ? logTopologySchema : undefined;
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
      trace.rows = loadTrace(trace.file);
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
