/** A bench's children die with it: on SIGTERM, on Ctrl-C and on an uncaught error. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { alive } from "../helpers/pid.ts";

const fixture = resolve(import.meta.dirname, "fixtures/spawns-child.ts");

async function startFixture(mode = "wait") {
  const bench = spawn(process.execPath, ["--import", "tsx", fixture, mode], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const [line] = (await once(createInterface({ input: bench.stdout! }), "line")) as [string];
  const pid = Number(line);
  assert.ok(pid > 0 && alive(pid), "the child runs");
  return { bench, pid };
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

for (const [signal, code] of [
  ["SIGTERM", 143],
  ["SIGINT", 130],
] as const) {
  test(`bench children: ${signal} to the bench kills its children`, async (t) => {
    const { bench, pid } = await startFixture();
    t.after(() => {
      if (alive(pid)) process.kill(pid, "SIGKILL");
    });
    const exited = once(bench, "exit");
    bench.kill(signal);
    const [exitCode] = (await exited) as [number | null];
    assert.equal(exitCode, code);
    assert.ok(await gone(pid), `child ${pid} still running after the bench got ${signal}`);
  });
}

test("bench children: an uncaught error in the bench kills its children", async (t) => {
  const { bench, pid } = await startFixture("throw");
  t.after(() => {
    if (alive(pid)) process.kill(pid, "SIGKILL");
  });
  const [exitCode] = (await once(bench, "exit")) as [number | null];
  assert.notEqual(exitCode, 0);
  assert.ok(await gone(pid), `child ${pid} still running after the bench failed`);
});
