/**
 * redis.conf for one node: loopback only, its own port and data directory in the run directory,
 * the scenario's append-only-file settings, RDB snapshots off (so `appendonly no` is truly no
 * durability), and the log on stdout, where the supervisor finds "Ready to accept connections".
 */

import type { RedisTopology } from "./topology.ts";

export interface RedisNodeConfig {
  port: number;
  dataDir: string;
  topology: Pick<RedisTopology, "appendonly" | "appendfsync">;
}

/** The line redis-server prints once it serves clients (after loading the append-only file). */
export const redisReadyLine = /Ready to accept connections/;

export function redisConf(c: RedisNodeConfig): string {
  const lines: [string, string][] = [
    ["bind", "127.0.0.1"],
    ["protected-mode", "yes"],
    ["port", String(c.port)],
    ["dir", quote(c.dataDir)],
    ["daemonize", "no"],
    ["logfile", '""'],
    ["databases", "1"],
    ["save", '""'],
    ["appendonly", c.topology.appendonly ? "yes" : "no"],
    ["appendfsync", c.topology.appendfsync],
    // Keep the timing of a run free of background AOF rewrites.
    ["auto-aof-rewrite-percentage", "0"],
  ];
  return `${lines.map(([k, v]) => `${k} ${v}`).join("\n")}\n`;
}

/** redis.conf string quoting: double quotes, backslash escapes. */
function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
