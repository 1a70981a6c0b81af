/**
 * Controllers for tests: one voter of an in-process quorum on loopback, with the settings every
 * controller test shares (a 300 ms election timeout, no unclean election, no leader rebalance, no byte-sized
 * snapshots) and its data in `<dir>/c<id>`; a test passes only what it is about.
 */
import { join } from "node:path";
import {
  type ControllerOptions,
  type RunningController,
  startController,
} from "../../../../engines/log/controller/controller.ts";

export function startTestController(
  dir: string,
  ports: readonly number[],
  id: number,
  opts: Partial<ControllerOptions> = {},
): Promise<RunningController> {
  return startController({
    id,
    voters: new Map(ports.map((port, i) => [i + 1, { host: "127.0.0.1", port }])),
    host: "127.0.0.1",
    port: ports[id - 1] as number,
    dataDir: join(dir, `c${id}`),
    sessionTimeoutMs: 60_000,
    electionTimeoutMs: 300,
    unclean: false,
    leaderRebalance: null,
    defaultReplicationFactor: 1,
    snapshotMaxRecords: 10_000,
    snapshotMaxBytes: 1 << 30,
    log: () => {},
    ...opts,
  });
}
