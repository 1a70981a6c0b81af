/**
 * What metadata snapshots buy the log engine's controller quorum: three controllers (in this
 * process, over real sockets, real fsyncs) take `--commits` OffsetCommits — each one a Raft entry
 * in the metadata log — once with snapshots at their defaults and once with them effectively off.
 * Prints, per case: the metadata log and snapshot sizes on disk of each voter, and medians of
 * `--restarts` of:
 *   rebuild = what a restart costs a voter: read its snapshot and log from disk and apply the log
 *             after the snapshot to the snapshot's image (done on a stopped voter's directory);
 *   ready   = one voter stopped and started again while the other two run, from start to its image
 *             holding every entry committed before it stopped (includes waiting for the leader's
 *             next heartbeat, up to 200 ms here, which tells it the commit index).
 * The machine is shared, so times are noisy; compare the two cases side by side.
 *
 *   node --import tsx bench/metadata-snapshots.ts [--commits 10000] [--restarts 5] [--concurrency 16]
 */

import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultBrokerConfig } from "../engines/log/config.ts";
import { type RunningController, startController } from "../engines/log/controller/controller.ts";
import {
  applyRecord,
  decodeImage,
  emptyImage,
  type MetadataRecord,
} from "../engines/log/controller/metadata-image.ts";
import { RaftStorage } from "../engines/log/raft/raft-storage.ts";
import { RpcClient } from "../engines/log/rpc/rpc.ts";
import { pickPorts } from "../lib/pick-ports.ts";
import { parseBenchArgs } from "./args.ts";

const { values: args } = parseBenchArgs(
  {
    options: {
      commits: { type: "string", default: "10000" },
      restarts: { type: "string", default: "5" },
      concurrency: { type: "string", default: "16" },
    },
  },
  import.meta.filename,
);
const COMMITS = Number(args.commits);
const RESTARTS = Number(args.restarts);
const CONCURRENCY = Number(args.concurrency);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const size = (f: string) => {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
};

async function runCase(label: string, maxRecords: number, maxBytes: number) {
  const dir = mkdtempSync(join(tmpdir(), "fb-bench-meta-"));
  const ports = await pickPorts(3);
  const voters = new Map(ports.map((port, i) => [i + 1, { host: "127.0.0.1", port }]));
  const running = new Map<number, RunningController>();
  const start = async (id: number) => {
    const c = await startController({
      id,
      voters,
      host: "127.0.0.1",
      port: ports[id - 1]!,
      dataDir: join(dir, `c${id}`),
      sessionTimeoutMs: 600_000,
      electionTimeoutMs: 1000,
      unclean: false,
      leaderRebalance: null,
      defaultReplicationFactor: 1,
      snapshotMaxRecords: maxRecords,
      snapshotMaxBytes: maxBytes,
      log: () => {},
    });
    running.set(id, c);
    return c;
  };
  const clients = new Map([...voters].map(([id, a]) => [id, new RpcClient(a.host, a.port)]));
  try {
    for (const id of [1, 2, 3]) await start(id);
    const leader = async () => {
      for (;;) {
        const l = [...running.values()].find((c) => c.raft.isLeader);
        if (l) return l.raft.id;
        await sleep(20);
      }
    };
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < COMMITS) {
          const i = next++;
          const params = {
            group: `group-${i % 10}`,
            entries: [{ topic: "orders", partition: i % 10, offset: i, metadata: null }],
          };
          for (;;) {
            try {
              await clients.get(await leader())!.call("broker.commitOffsets", params, 5000);
              break;
            } catch {
              await sleep(50); // an election: commit again (idempotent)
            }
          }
        }
      }),
    );
    const commitSecs = (performance.now() - t0) / 1000;
    const target = Math.max(...[...running.values()].map((c) => c.raft.commitIndex));
    while (![...running.values()].every((c) => c.raft.lastApplied >= target)) await sleep(20);
    const disk = [...running.keys()].map((id) => {
      const raft = join(dir, `c${id}`, "raft");
      return `c${id}: log ${size(join(raft, "log.ndjson"))} B, snapshot ${size(join(raft, "snapshot.json"))} B`;
    });

    const load: number[] = [];
    const ready: number[] = [];
    for (let r = 0; r < RESTARTS; r++) {
      const l = await leader();
      const id = [1, 2, 3].find((x) => x !== l)!;
      const commit = running.get(l)!.raft.commitIndex;
      await running.get(id)!.close();
      running.delete(id);
      const s = performance.now();
      const c = await start(id);
      load.push(performance.now() - s);
      while (c.image.version < commit) await sleep(1);
      ready.push(performance.now() - s);
    }
    // The restart work itself, on a stopped voter's directory.
    const l = await leader();
    const id = [1, 2, 3].find((x) => x !== l)!;
    await running.get(id)!.close();
    running.delete(id);
    const rebuild: number[] = [];
    let replayed = 0;
    for (let r = 0; r < RESTARTS; r++) {
      const s = performance.now();
      const store = new RaftStorage(join(dir, `c${id}`));
      const snap = store.snapshot;
      const image = snap ? decodeImage(snap.data) : emptyImage();
      for (let i = store.firstIndex; i <= store.lastIndex; i++)
        applyRecord(image, store.entryAt(i)!.cmd as MetadataRecord, i);
      rebuild.push(performance.now() - s);
      replayed = store.lastIndex - store.snapshotIndex;
      store.close();
    }
    const ms = (xs: number[]) => `${median(xs).toFixed(1)} ms [${xs.map((x) => x.toFixed(1)).join(", ")}]`;
    console.log(`${label}: ${COMMITS} commits in ${commitSecs.toFixed(1)} s`);
    console.log(`  on disk: ${disk.join("; ")}`);
    console.log(`  rebuild (snapshot + ${replayed} log entries replayed): median ${ms(rebuild)}`);
    console.log(`  restarted voter ready: median ${ms(ready)}; of which start ${ms(load)}`);
  } finally {
    for (const c of clients.values()) c.close();
    for (const c of running.values()) await c.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const d = defaultBrokerConfig();
await runCase(
  `snapshots on (every ${d.metadataSnapshotMaxRecords} records / ${d.metadataSnapshotMaxBytes} bytes)`,
  d.metadataSnapshotMaxRecords,
  d.metadataSnapshotMaxBytes,
);
await runCase("snapshots off", Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
