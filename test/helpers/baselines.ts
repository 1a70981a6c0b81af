/** Shortened default-suite baselines for distributed-run tests. */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { type Scenario, scenarioFromObject } from "../../harness/scenario/load.ts";

const root = join(import.meta.dirname, "../..");

/**
 * A default-suite baseline, shortened, with three producers so three workers get one each. Its
 * latency expectations are dropped: on a shared 2-core machine they measure the neighbours; the
 * accounting is what must not change.
 */
export function baseline(name: string, extra: Record<string, unknown> = {}): Scenario {
  const file = join(root, "scenarios/default", `${name}.yaml`);
  const raw = parse(readFileSync(file, "utf8")) as {
    workload: Record<string, unknown>;
    expect?: Record<string, unknown>;
  };
  raw.workload = { ...raw.workload, producers: 3, warmup: "500ms", duration: "1500ms", ...extra };
  if (raw.expect)
    raw.expect = Object.fromEntries(Object.entries(raw.expect).filter(([k]) => !k.startsWith("latency")));
  return scenarioFromObject(raw, file);
}
