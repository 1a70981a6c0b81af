// main.ts as a real process: ready line on stdout with the bound API port, usable, and a clean
// exit 0 on SIGTERM/SIGINT; bad flags exit 2.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseReady, type ReadySignal } from "../../../engines/shared/ready-signal.ts";
import { connectTo, echoServer, roundTrip } from "./helpers/net.ts";

const main = fileURLToPath(new URL("../../../harness/proxy/main.ts", import.meta.url));

function start(args: string[]): { child: ChildProcess; ready: Promise<ReadySignal> } {
  const child = spawn(process.execPath, ["--import", "tsx", main, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const ready = new Promise<ReadySignal>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const r = parseReady(line);
      if (r !== undefined) resolve(r);
    });
    child.once("exit", (code) => reject(new Error(`exited ${code} before ready`)));
    setTimeout(() => reject(new Error("no ready line within 15 s")), 15_000).unref();
  });
  return { child, ready };
}

async function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null) return { code: child.exitCode, signal: null };
  const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
  return { code, signal };
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`announces readiness, proxies traffic, exits 0 on ${signal}`, async () => {
    const echo = await echoServer();
    const { child, ready } = start(["--host", "127.0.0.1", "--port", "0", "--seed", "7"]);
    try {
      const r = await ready;
      assert.equal(r.node, "proxy");
      assert.equal(r.pid, child.pid);
      const api = `http://127.0.0.1:${r.ports.api}`;
      const created = await fetch(`${api}/proxies`, {
        method: "POST",
        body: JSON.stringify({ name: "x", listen: "127.0.0.1:0", upstream: `127.0.0.1:${echo.port}` }),
      });
      assert.equal(created.status, 201);
      const listen = ((await created.json()) as { listen: string }).listen;
      const s = await connectTo(Number(listen.split(":")[1]));
      assert.ok((await roundTrip(s, Buffer.from("hi"))) < 100);
      child.kill(signal);
      assert.deepEqual(await exitOf(child), { code: 0, signal: null });
      s.destroy();
      await assert.rejects(fetch(`${api}/version`));
    } finally {
      child.kill("SIGKILL");
      await echo.close();
    }
  });
}

test("a bad --port is a usage error (exit 2)", async () => {
  const { child, ready } = start(["--port", "99999"]);
  ready.catch(() => undefined);
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const { code } = await exitOf(child);
  assert.equal(code, 2);
  assert.match(stderr, /--port/);
});
