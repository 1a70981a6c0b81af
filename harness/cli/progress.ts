/**
 * Live progress for `faultbench run`. On a terminal: one status line rewritten in place (phase,
 * elapsed, offered/acked/delivered per second) with faults and node exits printed above it as they
 * happen. Otherwise (CI logs, pipes): plain lines, a rate line every 5 s.
 */

import type { ProgressEvent } from "../run/run-scenario.ts";

const fmt = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));

export function progressPrinter(
  scenario: string,
  out: NodeJS.WriteStream = process.stderr,
): {
  onProgress: (e: ProgressEvent) => void;
  finish: () => void;
} {
  const tty = out.isTTY === true;
  let statusShown = false;
  let lastPlain = -Infinity;
  const clear = () => {
    if (tty && statusShown) out.write("\r\x1b[2K");
    statusShown = false;
  };
  const line = (text: string) => {
    clear();
    out.write(`${text}\n`);
  };
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  return {
    onProgress(e) {
      switch (e.type) {
        case "phase":
          if (e.phase === "setup") line(`[${scenario}] starting nodes`);
          else if (e.phase !== "teardown") line(`[${scenario}] ${secs(e.elapsedMs)} ${e.phase}`);
          else line(`[${scenario}] ${secs(e.elapsedMs)} stopping nodes and checking`);
          break;
        case "tick": {
          const text =
            `[${scenario}] ${secs(e.elapsedMs)} ${e.phase}  offered ${fmt(e.offeredPerSec)}/s  acked ${fmt(e.ackedPerSec)}/s  ` +
            `delivered ${fmt(e.deliveredPerSec)}/s  failed ${fmt(e.failedPerSec)}/s  in flight ${e.inFlight}`;
          if (tty) {
            out.write(`\r\x1b[2K${text}`);
            statusShown = true;
          } else if (e.elapsedMs - lastPlain >= 4900) {
            lastPlain = e.elapsedMs;
            out.write(`${text}\n`);
          }
          break;
        }
        case "fault":
          if (e.outcome !== "invoke") {
            line(
              `[${scenario}] ${secs(e.elapsedMs)} fault ${e.fault}: ${e.f} ${e.node} ${e.outcome === "ok" ? "done" : `FAILED (${e.error ?? "?"})`}`,
            );
          }
          break;
        case "node-exit":
          line(
            `[${scenario}] node ${e.node} exited (${e.signal ?? `code ${e.code}`})${e.expected ? "" : " UNEXPECTEDLY"}`,
          );
          break;
      }
    },
    finish: clear,
  };
}
