/**
 * Runs an engine server as the main thing in this process: start it, print the ready line, stop it
 * gracefully on SIGTERM/SIGINT (exit 0). Under the harness's supervisor (FAULTBENCH_SUPERVISED=1)
 * the process also exits when its stdin closes, which happens when the supervising process dies
 * in any way, even by SIGKILL, so no engine is ever left orphaned.
 */

import { closeLazyIO, enableLazyIO } from "./file-io.ts";
import { announceReady } from "./ready-signal.ts";

export interface ServedEngine {
  ports: Record<string, number>;
  stop(): Promise<void>;
}

export async function serveProcess(node: string, start: () => Promise<ServedEngine>): Promise<void> {
  // Lazy file I/O (a power-loss fault is planned): first undo what the last unclean run left unsynced.
  const journal = process.env.FAULTBENCH_LAZY_IO;
  if (journal) {
    const { rolledBack } = enableLazyIO(journal);
    process.stderr.write(
      `[${node}] lazy file I/O: unsynced writes are lost on a crash; rolled back ${rolledBack.length} unsynced change(s)${rolledBack.length ? `:\n  ${rolledBack.join("\n  ")}` : ""}\n`,
    );
  }
  const engine = await start();
  announceReady(node, engine.ports);
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[${node}] ${why}: stopping\n`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    engine.stop().then(
      () => {
        closeLazyIO();
        process.exit(0);
      },
      (e: unknown) => {
        process.stderr.write(`[${node}] stop failed: ${(e as Error)?.stack ?? e}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  if (process.env.FAULTBENCH_SUPERVISED === "1") {
    process.stdin.on("end", () => stop("supervisor gone"));
    process.stdin.on("error", () => stop("supervisor gone"));
    process.stdin.resume();
  }
}
