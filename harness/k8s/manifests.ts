/**
 * A distributed run as Kubernetes objects (pure): the scenario and the worker list in a
 * ConfigMap; N load workers as an Indexed Job whose completion index is the slice (pod hostname
 * `<job>-<i>` under a headless Service, so the i-th URL in workers.txt is slice i+1/N); the
 * coordinator as a Job that runs the scenario against them and writes the run directory to a
 * PersistentVolumeClaim. The shared token comes from a Secret the user creates. Only engines that
 * already run somewhere reachable (`engine: kafka`, `engine: flume`) make sense here: the engines
 * faultbench boots listen on loopback inside the coordinator's pod.
 */

import { FaultbenchError } from "../errors.ts";

export interface RenderOptions {
  /** The scenario's name (names every object). */
  name: string;
  engine: string;
  /** The resolved scenario, YAML. */
  scenarioText: string;
  workers: number;
  image: string;
  namespace: string;
  workerCpu: string;
  workerMemory: string;
  coordinatorCpu: string;
  coordinatorMemory: string;
  runsStorage: string;
  /** The Secret (key `token`) holding the shared worker token. */
  tokenSecret: string;
}

export const WORKER_PORT = 7070;
const BOOTED_HERE = new Set(["log", "agent"]);

type Obj = Record<string, unknown>;

export function renderManifests(o: RenderOptions): Obj[] {
  if (BOOTED_HERE.has(o.engine))
    throw new FaultbenchError(
      "FB_USAGE",
      `engine: ${o.engine} is booted by faultbench on loopback inside the coordinator's pod, out of the workers' reach; point the scenario at a cluster you run (engine: kafka or engine: flume)`,
    );
  if (!Number.isInteger(o.workers) || o.workers < 1)
    throw new FaultbenchError("FB_USAGE", "--workers must be a whole number ≥ 1");
  const base = `fb-${o.name}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, 40)
    .replace(/-+$/, "");
  const workersJob = `${base}-workers`;
  const svc = `${base}-workers`;
  const labels = (role: string) => ({
    "app.kubernetes.io/name": "faultbench",
    "faultbench/run": base,
    "faultbench/role": role,
  });
  const meta = (name: string, role: string) => ({ name, namespace: o.namespace, labels: labels(role) });
  const urls = Array.from(
    { length: o.workers },
    (_, i) => `http://${workersJob}-${i}.${svc}.${o.namespace}.svc.cluster.local:${WORKER_PORT}`,
  );
  const tokenEnv = {
    name: "FAULTBENCH_WORKER_TOKEN",
    valueFrom: { secretKeyRef: { name: o.tokenSecret, key: "token" } },
  };
  const resources = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { memory } });

  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(`${base}-scenario`, "scenario"),
    data: {
      "scenario.yaml": o.scenarioText,
      "workers.txt": `# worker i (Indexed Job completion index i) sends slice i+1/${o.workers}\n${urls.join("\n")}\n`,
    },
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(svc, "worker"),
    spec: {
      clusterIP: "None",
      selector: labels("worker"),
      ports: [{ name: "control", port: WORKER_PORT, targetPort: WORKER_PORT }],
      // Workers must be resolvable before they report ready: the coordinator waits on DNS.
      publishNotReadyAddresses: true,
    },
  };
  const workers = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta(workersJob, "worker"),
    spec: {
      completionMode: "Indexed",
      completions: o.workers,
      parallelism: o.workers,
      backoffLimit: 0,
      template: {
        metadata: { labels: labels("worker") },
        spec: {
          subdomain: svc,
          restartPolicy: "Never",
          containers: [
            {
              name: "worker",
              image: o.image,
              args: ["worker", "--listen", `0.0.0.0:${WORKER_PORT}`, "--allow-remote", "--once"],
              env: [tokenEnv],
              ports: [{ name: "control", containerPort: WORKER_PORT }],
              resources: resources(o.workerCpu, o.workerMemory),
            },
          ],
        },
      },
    },
  };
  const runs = {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: meta(`${base}-runs`, "runs"),
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: o.runsStorage } } },
  };
  const coordinator = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta(`${base}-coordinator`, "coordinator"),
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: labels("coordinator") },
        spec: {
          restartPolicy: "Never",
          // The image runs as user node (uid 1000): let it write the run volume.
          securityContext: { fsGroup: 1000 },
          containers: [
            {
              name: "coordinator",
              image: o.image,
              args: [
                "run",
                "/scenario/scenario.yaml",
                "--workers",
                "/scenario/workers.txt",
                "--out",
                "/runs",
              ],
              env: [tokenEnv],
              resources: resources(o.coordinatorCpu, o.coordinatorMemory),
              volumeMounts: [
                { name: "scenario", mountPath: "/scenario", readOnly: true },
                { name: "runs", mountPath: "/runs" },
              ],
            },
          ],
          volumes: [
            { name: "scenario", configMap: { name: `${base}-scenario` } },
            { name: "runs", persistentVolumeClaim: { claimName: `${base}-runs` } },
          ],
        },
      },
    },
  };
  return [configMap, service, runs, workers, coordinator];
}
