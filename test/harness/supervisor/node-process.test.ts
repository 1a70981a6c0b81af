import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { isFaultbenchError } from "../../../harness/errors.ts";
import { type NodeExit, NodeProcess } from "../../../harness/supervisor/node-process.ts";
import { Supervisor } from "../../../harness/supervisor/supervisor.ts";
import { alive } from "../../helpers/pid.ts";

const dir = mkdtempSync(join(tmpdir(), "fb-sup-"));
const child = join(import.meta.dirname, "../../fixtures/ready-child.mjs");
const started: NodeProcess[] = [];
after(async () => {
  for (const n of started) await n.kill();
  rmSync(dir, { recursive: true, force: true });
});

function node(name: string, extra: string[] = [], readyTimeoutMs = 5000): NodeProcess {
  const n = new NodeProcess({
    name,
    command: process.execPath,
    args: [child, ...extra],
    cwd: dir,
    logPath: join(dir, `${name}.log`),
    readyTimeoutMs,
  });
  started.push(n);
  return n;
}

function ping(port: number, timeoutMs = 500): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1");
    let data = "";
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error("timeout"));
    }, timeoutMs);
    s.on("data", (d) => {
      data += d.toString();
    });
    s.on("end", () => {
      clearTimeout(t);
      resolve(data);
    });
    s.on("error", (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

test("start waits for the ready line, logs output, and kill is a real SIGKILL", async () => {
  const n = node("k1");
  const exits: NodeExit[] = [];
  n.onExit = (e) => exits.push(e);
  const sig = await n.start();
  assert.equal(n.state, "running");
  assert.equal(await ping(sig.ports.main as number), "pong\n");
  const pid = n.pid as number;
  const exit = await n.kill();
  assert.equal(exit?.signal, "SIGKILL");
  assert.equal(exit?.expected, true);
  assert.equal(alive(pid), false);
  assert.deepEqual(
    exits.map((e) => e.signal),
    ["SIGKILL"],
  );
  await n.closeLog();
  const log = readFileSync(join(dir, "k1.log"), "utf8");
  assert.match(log, /child says hello on stderr/);
  assert.match(log, /"faultbench":"ready"/);
});

test("pause stops answering until resume", async () => {
  const n = node("p1");
  const sig = await n.start();
  const port = sig.ports.main as number;
  n.pause();
  assert.equal(n.state, "paused");
  await assert.rejects(ping(port, 300), /timeout/);
  n.resume();
  assert.equal(await ping(port, 2000), "pong\n");
  await n.stop();
});

test("stop escalates to SIGKILL when SIGTERM is ignored", async () => {
  const n = node("t1", ["--ignore-term"]);
  await n.start();
  const t0 = Date.now();
  const exit = await n.stop(300);
  assert.equal(exit?.signal, "SIGKILL");
  assert.ok(Date.now() - t0 >= 250);
});

test("restart spawns a new process after a kill", async () => {
  const n = node("r1");
  await n.start();
  const first = n.pid;
  await n.kill();
  await n.start();
  assert.notEqual(n.pid, first);
  assert.equal(n.state, "running");
  await n.stop();
});

test("a node that exits before it is ready is reported with its output", async () => {
  const n = node("e1", ["--exit-early"]);
  await assert.rejects(n.start(), (e: unknown) => {
    assert.ok(isFaultbenchError(e));
    assert.equal(e.code, "FB_ENGINE_START_FAILED");
    assert.match(e.message, /failing on purpose/);
    return true;
  });
  assert.equal(n.state, "stopped");
});

test("a node that never gets ready times out and is killed", async () => {
  const n = node("n1", ["--never-ready"], 400);
  await assert.rejects(
    n.start(),
    (e: unknown) => isFaultbenchError(e) && e.code === "FB_ENGINE_START_TIMEOUT",
  );
  assert.equal(n.state, "stopped");
  assert.equal(alive(n.pid as number), false);
});

test("the supervisor reports a crash and shutdown leaves no child", async () => {
  const sup = new Supervisor();
  const crashes: NodeExit[] = [];
  sup.onCrash = (e) => crashes.push(e);
  const mk = (name: string) =>
    sup.add({
      name,
      command: process.execPath,
      args: [child],
      cwd: dir,
      logPath: join(dir, `${name}.log`),
      readyTimeoutMs: 5000,
    });
  await mk("s1").start();
  await mk("s2").start();
  const pids = sup.pids();
  assert.equal(pids.length, 2);
  process.kill(pids[0] as number, "SIGKILL");
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(crashes.length, 1);
  assert.equal(crashes[0]?.expected, false);
  await sup.shutdown(1000);
  for (const p of pids) assert.equal(alive(p), false);
});

test("shutdown stops a tier of nodes together, and other nodes in reverse order", async () => {
  const sup = new Supervisor();
  const exits: { node: string; at: number }[] = [];
  sup.onExit = (e) => exits.push({ node: e.node, at: Date.now() });
  const mk = (name: string, tier?: string) =>
    sup.add({
      name,
      command: process.execPath,
      args: [child, "--ignore-term"],
      cwd: dir,
      logPath: join(dir, `${name}.log`),
      readyTimeoutMs: 5000,
      ...(tier === undefined ? {} : { tier }),
    });
  for (const n of [mk("server"), mk("c1", "group"), mk("c2", "group")]) await n.start();
  await sup.shutdown(400);
  assert.deepEqual(
    exits
      .map((e) => e.node)
      .slice(0, 2)
      .sort(),
    ["c1", "c2"],
    "the tier goes first",
  );
  assert.equal(exits[2]?.node, "server");
  const [a, b, c] = exits.map((e) => e.at) as [number, number, number];
  assert.ok(b - a < 300, `the tier stopped together (${b - a} ms apart)`);
  assert.ok(c - b >= 300, `the server only after the tier (${c - b} ms later)`);
});

test("a server we did not write is ready when its own ready line appears, on stdout or stderr", async () => {
  const script =
    'process.stdout.write("loading\\n"); setTimeout(() => process.stderr.write("* Ready to accept connections\\n"), 100); setInterval(() => {}, 1000);';
  const n = new NodeProcess({
    name: "foreign",
    command: process.execPath,
    args: ["-e", script],
    cwd: dir,
    logPath: join(dir, "foreign.log"),
    readyTimeoutMs: 5000,
    readyLine: { pattern: /Ready to accept connections/, ports: { client: 6399 } },
  });
  started.push(n);
  const t = Date.now();
  const ready = await n.start();
  assert.ok(Date.now() - t >= 90, "not ready before the line");
  assert.deepEqual(ready.ports, { client: 6399 });
  assert.equal(ready.pid, n.pid);
  assert.equal(n.state, "running");
  await n.kill();
  await n.closeLog();
  assert.match(readFileSync(join(dir, "foreign.log"), "utf8"), /loading[\s\S]*Ready to accept/);
});
