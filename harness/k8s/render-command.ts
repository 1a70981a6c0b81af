/**
 * `faultbench k8s render <scenario> --workers N --image IMAGE`: loads and checks the scenario like
 * `run` does, then prints (or writes) the manifests of a distributed run as one multi-document
 * YAML stream for `kubectl apply -f`.
 */

import { writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { FaultbenchError } from "../errors.ts";
import { sliceProblem } from "../generator/slice.ts";
import { loadScenario } from "../scenario/load.ts";
import { renderManifests } from "./manifests.ts";

export interface RenderCommandOptions {
  workers: number;
  image: string;
  namespace: string;
  tokenSecret: string;
  workerCpu: string;
  workerMemory: string;
  coordinatorCpu: string;
  coordinatorMemory: string;
  runsStorage: string;
  out?: string;
}

export async function renderCommand(file: string, o: RenderCommandOptions): Promise<string> {
  const scenario = await loadScenario(file);
  const bad = sliceProblem(o.workers, scenario.workload.producers);
  if (bad) throw new FaultbenchError("FB_USAGE", `--workers ${o.workers}: ${bad}`);
  if (scenario.workload.workers !== undefined)
    throw new FaultbenchError("FB_USAGE", `${file}: drop workload.workers; the workers are pods here`);
  if (scenario.workload.trace)
    throw new FaultbenchError(
      "FB_USAGE",
      `${file}: trace workloads are not rendered for Kubernetes yet (the pods would need the trace file); run the coordinator with --workers instead`,
    );
  const docs = renderManifests({
    name: scenario.name,
    engine: scenario.engine,
    scenarioText: `# the scenario as rendered\n${stringify(scenario.raw)}`,
    ...o,
  });
  const text = docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n");
  if (o.out) writeFileSync(o.out, text);
  return text;
}
