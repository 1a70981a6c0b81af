/**
 * Loading a scenario: YAML text → raw object → zod schema → cross-field rules → Scenario. Every
 * problem is collected and reported together, one line each, as `file: path: what is wrong`, and
 * the whole lot is thrown as one FB_SCENARIO_INVALID error (the CLI prints it and exits 2).
 */

import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { FaultbenchError } from "../errors.ts";
import { checkPath, type Expectation, parseExpectation } from "./expectation.ts";
import { type AgentTopology, type FaultSpec, type ParsedScenario, scenarioSchema } from "./schema.ts";
import { formatDuration } from "./units.ts";

export type NamedFault = FaultSpec & { name: string };

export interface Scenario extends Omit<ParsedScenario, "faults" | "expect" | "topology"> {
  topology: AgentTopology & { entry: string };
  faults: NamedFault[];
  /** The scenario's expectations plus the defaults it did not override. */
  expectations: Expectation[];
  /** The document as written, with CLI overrides applied; written to the run directory. */
  raw: Record<string, unknown>;
  file: string;
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

/** Applies defaults and names; checks everything that spans several fields. */
function crossCheck(
  file: string,
  s: ParsedScenario,
): { problems: string[]; scenario: Omit<Scenario, "raw" | "file"> } {
  const problems: string[] = [];
  const agents = Object.keys(s.topology.agents);
  const collectors = Object.keys(s.topology.collectors);
  const all = [...agents, ...collectors];
  const p = (path: string, msg: string) => problems.push(`${file}: ${path}: ${msg}`);

  if (agents.length === 0) p("topology.agents", "needs at least one agent");
  for (const n of agents) {
    if (collectors.includes(n)) p(`topology.collectors.${n}`, `"${n}" is already the name of an agent`);
  }
  const entry = s.topology.entry ?? agents[0];
  if (s.topology.entry !== undefined && !agents.includes(s.topology.entry)) {
    p("topology.entry", `no agent named "${s.topology.entry}"; agents: ${agents.join(", ")}`);
  }
  for (const [name, a] of Object.entries(s.topology.agents)) {
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
    if (a.processor?.type === "failover" && a.processor.priority) {
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

  const w = s.workload;
  const loadMs = w.warmup + w.duration;
  const names = new Set<string>();
  const faults: NamedFault[] = s.faults.map((f, i) => {
    const name = f.name ?? `${f.kind}-${f.node}@${formatDuration(f.at)}`;
    if (names.has(name)) p(`faults[${i}].name`, `"${name}" is used by two faults; give one a name`);
    names.add(name);
    if (f.kind === "slow") {
      if (!collectors.includes(f.node)) {
        p(
          `faults[${i}].node`,
          `slow applies to collectors; collectors: ${collectors.join(", ") || "(none)"}`,
        );
      }
    } else if (!agents.includes(f.node)) {
      p(`faults[${i}].node`, `no agent named "${f.node}"; agents: ${agents.join(", ")}`);
    }
    if (f.at >= loadMs) {
      p(
        `faults[${i}].at`,
        `${formatDuration(f.at)} is after the load ends (warmup + duration = ${formatDuration(loadMs)})`,
      );
    }
    return { ...f, name };
  });

  const merged: Record<string, string | number> = { ...defaultExpectations, ...s.expect };
  const expectations: Expectation[] = [];
  for (const [path, raw] of Object.entries(merged)) {
    const bad = checkPath(path, [...names]);
    if (bad) {
      p(`expect.${path}`, bad);
      continue;
    }
    const e = parseExpectation(path, raw);
    if (typeof e === "string") p(`expect.${path}`, e);
    else expectations.push(e);
  }

  const { expect: _e, faults: _f, ...rest } = s;
  return {
    problems,
    scenario: { ...rest, topology: { ...s.topology, entry: entry as string }, faults, expectations },
  };
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
  const parsed = scenarioSchema.safeParse(doc);
  if (!parsed.success) throw invalid(file, issueMessages(file, parsed.error.issues));
  const { problems, scenario } = crossCheck(file, parsed.data);
  if (problems.length > 0) throw invalid(file, problems);
  doc.seed = scenario.seed;
  return { ...scenario, raw: doc, file };
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

function invalid(file: string, problems: string[]): FaultbenchError {
  return new FaultbenchError(
    "FB_SCENARIO_INVALID",
    `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n${problems.map((x) => `  ${x}`).join("\n")}`,
    { context: { file, problems } },
  );
}
