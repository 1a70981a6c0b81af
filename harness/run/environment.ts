/**
 * What the run ran on, for results.json: numbers from two machines are only comparable when the
 * reader can see that they came from two machines.
 */

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { arch, cpus, type as osType, release, totalmem } from "node:os";
import { join } from "node:path";
import type { Environment } from "../results/types.ts";

export function captureEnvironment(projectRoot: string): Environment {
  let gitCommit: string | null = null;
  try {
    gitCommit = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: projectRoot,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
  } catch {
    gitCommit = null;
  }
  let version = "unknown";
  try {
    version = (JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    // keep "unknown"
  }
  const cpuList = cpus();
  return {
    node: process.version,
    os: `${osType()} ${release()} ${arch()}`,
    cpu: cpuList[0]?.model.trim() ?? "unknown",
    cpus: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    gitCommit,
    faultbench: version,
  };
}
