/**
 * A supervised OS process as a TargetNode: node faults become real signals through the
 * supervisor (kill = SIGKILL, pause = SIGSTOP/SIGCONT, stop = SIGTERM, start = spawn again on the
 * same ports and data). Shared by every target whose nodes the harness starts itself.
 */

import type { NodeProcess } from "../supervisor/node-process.ts";
import type { TargetNode } from "./target.ts";

export function processNode(p: NodeProcess): TargetNode {
  return {
    name: p.spec.name,
    get state() {
      return p.state;
    },
    kill: async () => {
      await p.kill();
    },
    pause: async () => p.pause(),
    resume: async () => p.resume(),
    stop: async () => {
      await p.stop();
    },
    start: async () => {
      await p.start();
    },
  };
}
