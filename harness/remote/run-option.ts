/**
 * `run --workers LIST [--worker-token-file F]` → the remote workers of a run, checked against every
 * scenario before anything runs: each worker needs a producer of its own, and the two ways of
 * splitting the load (local `workload.workers`, remote `--workers`) do not combine.
 */

import { FaultbenchError } from "../errors.ts";
import { sliceProblem } from "../generator/slice.ts";
import type { Scenario } from "../scenario/load.ts";
import type { RemoteWorkersOption } from "./remote-load.ts";
import { readToken } from "./token.ts";
import { parseWorkerList } from "./worker-list.ts";

export function remoteWorkersOption(
  opts: { workers?: string; workerTokenFile?: string },
  scenarios: readonly Scenario[],
): RemoteWorkersOption | undefined {
  if (opts.workers === undefined) {
    if (opts.workerTokenFile !== undefined)
      throw new FaultbenchError("FB_USAGE", "--worker-token-file goes with --workers");
    return undefined;
  }
  const urls = parseWorkerList(opts.workers);
  for (const s of scenarios) {
    if (s.workload.workers !== undefined)
      throw new FaultbenchError(
        "FB_USAGE",
        `${s.name}: workload.workers splits the load over local processes; drop it to send from --workers`,
      );
    const bad = sliceProblem(urls.length, s.workload.producers);
    if (bad)
      throw new FaultbenchError("FB_USAGE", `${s.name}: --workers lists ${urls.length} workers: ${bad}`);
  }
  const token = readToken(opts.workerTokenFile);
  return { urls, ...(token === undefined ? {} : { token }) };
}
