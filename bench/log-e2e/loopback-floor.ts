/**
 * This machine's floor for the end-to-end figure: a one-byte round trip between two processes over
 * loopback TCP (Nagle off), one at a time with a pause between, as the cluster's hops are. An
 * acks=all record crosses at least four such one-way hops (producer → leader → followers → leader
 * → consumer) between five processes, so a tail here sets a tail there that no engine change can
 * remove. Run as a script it is the echo side (a child process of its own).
 */

import { createConnection, createServer } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { LatencyHistogram } from "../../harness/metrics/histogram.ts";
import type { Percentiles } from "../../harness/results/types.ts";
import { spawnChild } from "../children.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Round trips (ms) to an echo process on 127.0.0.1: `count` pings, `pauseMs` apart. */
export async function loopbackRoundTrip(count: number, pauseMs: number): Promise<Percentiles> {
  const echo = spawnChild(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "echo"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: echo.stdout! }).once("line", (l) => resolve(Number(l)));
      echo.once("exit", (c) => reject(new Error(`the echo process exited (${c})`)));
    });
    const socket = createConnection({ port, host: "127.0.0.1", noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const h = new LatencyHistogram();
    const one = Buffer.from([1]);
    try {
      for (let i = 0; i < count; i++) {
        const t = process.hrtime.bigint();
        const back = new Promise<void>((resolve) => socket.once("data", () => resolve()));
        socket.write(one);
        await back;
        h.record(Number(process.hrtime.bigint() - t) / 1000);
        await sleep(pauseMs);
      }
    } finally {
      socket.destroy();
    }
    return h.percentiles();
  } finally {
    if (echo.exitCode === null && echo.signalCode === null) {
      const gone = new Promise((r) => echo.once("exit", r));
      echo.kill("SIGKILL");
      await gone;
    }
  }
}

if (process.argv[2] === "echo") {
  const server = createServer((c) => {
    c.setNoDelay(true);
    c.on("data", (d) => c.write(d));
  });
  server.listen(0, "127.0.0.1", () => {
    const addr = server.address();
    process.stdout.write(`${typeof addr === "object" && addr ? addr.port : 0}\n`);
  });
  process.stdin.on("close", () => process.exit(0));
  process.stdin.resume();
}
