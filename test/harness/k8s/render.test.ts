import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Job } from "kubernetes-models/batch/v1";
import { ConfigMap, PersistentVolumeClaim, Service } from "kubernetes-models/v1";
import { parseAllDocuments } from "yaml";
import { renderCommand } from "../../../harness/k8s/render-command.ts";
import { parseWorkerList } from "../../../harness/remote/worker-list.ts";

const dir = mkdtempSync(join(tmpdir(), "fb-k8s-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const opts = {
  workers: 3,
  image: "registry.example/faultbench:1",
  namespace: "bench",
  tokenSecret: "faultbench-worker-token",
  workerCpu: "1",
  workerMemory: "512Mi",
  coordinatorCpu: "500m",
  coordinatorMemory: "1Gi",
  runsStorage: "2Gi",
};

function scenarioFile(engine: string, topology: string): string {
  const f = join(dir, `${engine}.yaml`);
  writeFileSync(
    f,
    `name: Cluster_Baseline\nengine: ${engine}\nseed: 4\ntopology:\n${topology}workload:\n  rate: 3000/s\n  producers: 6\n  warmup: 1s\n  duration: 5s\n`,
  );
  return f;
}

/** The OpenAPI schema of each kind, as pinned in kubernetes-models 5.1.0. */
const models: Record<string, new (o: never) => { validate(): void }> = {
  ConfigMap: ConfigMap as never,
  Service: Service as never,
  PersistentVolumeClaim: PersistentVolumeClaim as never,
  Job: Job as never,
};

test("k8s render: manifests that validate against the pinned Kubernetes schemas", async () => {
  const file = scenarioFile("kafka", "  bootstrap: kafka-0.kafka.bench.svc:9092\n  topic: fb-baseline\n");
  const text = await renderCommand(file, opts);
  const docs = parseAllDocuments(text).map((d) => d.toJS() as { kind: string });
  assert.deepEqual(
    docs.map((d) => d.kind),
    ["ConfigMap", "Service", "PersistentVolumeClaim", "Job", "Job"],
  );
  for (const d of docs) {
    const Model = models[d.kind] as (typeof models)[string];
    assert.doesNotThrow(() => new Model(d as never).validate(), `${d.kind} validates`);
  }
  // biome-ignore lint/suspicious/noExplicitAny: reading plain YAML back
  const [cm, svc, , workers, coord] = docs as [any, any, any, any, any];
  // Indexed Job: completion index i is the pod hostname <job>-i under the headless Service.
  assert.equal(workers.spec.completionMode, "Indexed");
  assert.equal(workers.spec.completions, 3);
  assert.equal(workers.spec.parallelism, 3);
  assert.equal(workers.spec.template.spec.subdomain, svc.metadata.name);
  assert.equal(svc.spec.clusterIP, "None");
  const worker = workers.spec.template.spec.containers[0];
  assert.deepEqual(worker.args, ["worker", "--listen", "0.0.0.0:7070", "--allow-remote", "--once"]);
  assert.equal(worker.env[0].valueFrom.secretKeyRef.name, "faultbench-worker-token");
  assert.deepEqual(worker.resources.requests, { cpu: "1", memory: "512Mi" });
  // The worker list the coordinator reads is in slice order and parses as `--workers` does.
  const listFile = join(dir, "workers.txt");
  writeFileSync(listFile, cm.data["workers.txt"]);
  assert.deepEqual(
    parseWorkerList(listFile),
    [0, 1, 2].map(
      (i) =>
        `http://fb-cluster-baseline-workers-${i}.fb-cluster-baseline-workers.bench.svc.cluster.local:7070`,
    ),
  );
  assert.match(cm.data["scenario.yaml"], /bootstrap: kafka-0\.kafka\.bench\.svc:9092/);
  const c = coord.spec.template.spec;
  assert.deepEqual(c.containers[0].args, [
    "run",
    "/scenario/scenario.yaml",
    "--workers",
    "/scenario/workers.txt",
    "--out",
    "/runs",
  ]);
  assert.equal(c.volumes[1].persistentVolumeClaim.claimName, "fb-cluster-baseline-runs");
  assert.equal(coord.spec.backoffLimit, 0, "a broken run is not retried silently");

  // The schema check can fail: a wrong type is caught.
  const broken = { ...workers, spec: { ...workers.spec, completions: "3" } };
  assert.throws(() => new Job(broken).validate(), /completions must be integer/);
});

test("k8s render refuses what cannot work on a cluster, naming the fix", async () => {
  const log = scenarioFile("log", "  partitions: 3\n");
  await assert.rejects(renderCommand(log, opts), /engine: log is booted by faultbench on loopback/);
  const kafka = scenarioFile("kafka", "  bootstrap: kafka:9092\n  topic: t\n");
  await assert.rejects(renderCommand(kafka, { ...opts, workers: 7 }), /7 workers need at least 7 producers/);
});
