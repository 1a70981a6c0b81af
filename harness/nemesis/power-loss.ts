/**
 * The power-loss fault: the node loses every byte it wrote but did not fsync, and every directory
 * change not followed by an fsync of its directory, then (optionally) restarts. A SIGKILL alone
 * cannot show this — the page cache outlives the process — so a node that has a power-loss fault
 * in its scenario runs with lazy file I/O (engines/shared/file-io.ts): it journals what it made
 * durable, and its next start rolls everything else back. The nemesis itself just kills it.
 */

import { join } from "node:path";
import type { Scenario } from "../scenario/load.ts";

/** The environment that puts `node` in lazy file-I/O mode, when the scenario plans a power loss on it. */
export function lazyIOEnv(
  scenario: Scenario,
  node: string,
  runDir: string,
): { env?: Record<string, string> } {
  const planned = scenario.faults.some((f) => f.kind === "power-loss" && f.node === node);
  return planned ? { env: { FAULTBENCH_LAZY_IO: join(runDir, "data", `${node}.lazy-io-journal`) } } : {};
}
