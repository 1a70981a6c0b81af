// The node nemesis against a fake target whose nodes record every signal the nemesis sends, with
// the time it was sent, so each fault's sequence and spacing can be checked without processes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { faultApplication } from "../../../harness/checkers/fault-applied.ts";
import type { NemesisOp } from "../../../harness/history/op.ts";
import {
  type FaultEvent,
  isNodeFault,
  type NodeFault,
  NodeNemesis,
} from "../../../harness/nemesis/node-faults.ts";
import type { Target, TargetNode } from "../../../harness/targets/target.ts";

interface Call {
  what: string;
  t: number;
}

class FakeNode {
  readonly calls: Call[] = [];
  /** Methods that throw (or reject, for the async ones) instead of succeeding. */
  failing = new Set<string>();
  /** As NodeProcess keeps it: the nemesis refuses to kill, pause or stop a node that is not running. */
  state: "running" | "paused" | "stopped" = "running";
  constructor(
    readonly name: string,
    private readonly now: () => number,
  ) {}
  private note(what: string) {
    this.calls.push({ what, t: this.now() });
    if (this.failing.has(what)) throw new Error(`${what} failed\nsecond line`);
  }
  async kill() {
    this.note("kill");
    this.state = "stopped";
    return undefined;
  }
  async start() {
    await new Promise((r) => setTimeout(r, 5));
    this.note("start");
    this.state = "running";
    return { name: this.name, ports: {} };
  }
  async pause() {
    this.note("pause");
    this.state = "paused";
  }
  async resume() {
    this.note("resume");
    this.state = "running";
  }
  async stop() {
    this.note("stop");
    this.state = "stopped";
    return undefined;
  }
}

/** The nemesis sees only `node(name)`: processes a1 and a2, and a collector that can be slowed. */
class FakeDriver implements Pick<Target, "node"> {
  readonly nodes = new Map<string, FakeNode>();
  readonly delays: { node: string; delayMs: number; t: number }[] = [];
  constructor(
    names: string[],
    private readonly now: () => number,
  ) {
    for (const n of names) this.nodes.set(n, new FakeNode(n, now));
  }
  /** The collector's configured delay, restored after a `slow`. */
  baseDelay(_node: string): number {
    return 0;
  }
  node(name: string): TargetNode | undefined {
    if (name === "collector") {
      const no = async () => {
        throw new Error("not a process");
      };
      return {
        name,
        kill: no,
        pause: no,
        resume: no,
        stop: no,
        start: no,
        slow: (delayMs) => {
          this.delays.push({ node: name, delayMs: delayMs ?? this.baseDelay(name), t: this.now() });
        },
      };
    }
    return this.nodes.get(name) as unknown as TargetNode | undefined;
  }
}

/** A target whose collector has a configured delay, which `fast` restores. */
class DelayDriver extends FakeDriver {
  override baseDelay(node: string): number {
    return node === "collector" ? 25 : 0;
  }
}

function setup(faults: NodeFault[], DriverClass: typeof FakeDriver = FakeDriver) {
  const start = performance.now();
  const now = () => Math.round((performance.now() - start) * 1000);
  const driver = new DriverClass(["a1", "a2"], now);
  const ops: NemesisOp[] = [];
  const events: FaultEvent[] = [];
  const nemesis = new NodeNemesis(faults, {
    target: driver,
    now,
    record: (op) => ops.push(op),
    onEvent: (e) => events.push(e),
  });
  return { driver, ops, events, nemesis, now };
}

const steps = (ops: readonly NemesisOp[]) => ops.map((o) => `${o.type} ${o.f}`);
const calls = (d: FakeDriver, n: string) => d.nodes.get(n)!.calls.map((c) => c.what);
const callAt = (d: FakeDriver, n: string, what: string) =>
  d.nodes.get(n)!.calls.find((c) => c.what === what)!.t;

async function waitFor(what: string, cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The gap between two calls lies between `ms` and `ms` + slack (µs clock; timers may fire ~ms early). */
function assertGap(fromUs: number, toUs: number, ms: number, label: string) {
  const gap = toUs - fromUs;
  assert.ok(gap >= ms * 1000 - 5000 && gap < ms * 1000 + 150_000, `${label}: ${gap}µs, not ~${ms}ms`);
}

describe("isNodeFault", () => {
  test("kill, pause, restart and slow act on nodes; network faults do not", () => {
    assert.equal(isNodeFault({ kind: "kill", name: "k", node: "a1", at: 0, target: "a1" }), true);
    assert.equal(
      isNodeFault({ kind: "slow", name: "s", node: "c", at: 0, for: 1, delay: 5, target: "c" }),
      true,
    );
    assert.equal(
      isNodeFault({ kind: "down", name: "d", link: "a->b", at: 0, for: 1, target: "a->b" }),
      false,
    );
  });
});

describe("NodeNemesis", () => {
  test("kill with restartAfter: SIGKILL at `at`, start again restartAfter later", async () => {
    const { driver, ops, events, nemesis } = setup([
      { kind: "kill", name: "k1", node: "a1", at: 30, restartAfter: 100, target: "a1" },
    ]);
    nemesis.start();
    await nemesis.idle();
    assert.deepEqual(calls(driver, "a1"), ["kill", "start"]);
    assert.deepEqual(calls(driver, "a2"), []);
    assert.ok(callAt(driver, "a1", "kill") >= 25_000, "killed before `at`");
    assertGap(callAt(driver, "a1", "kill"), callAt(driver, "a1", "start"), 100, "restartAfter");
    assert.deepEqual(steps(ops), ["invoke kill", "ok kill", "invoke start", "ok start"]);
    assert.ok(
      ops.every((o) => o.process === "nemesis" && o.fault === "k1" && o.node === "a1" && o.kind === "kill"),
    );
    for (let i = 1; i < ops.length; i++) assert.ok(ops[i]!.t >= ops[i - 1]!.t);
    // start takes 5 ms in the fake: its ok comes after it finished, not when it was invoked.
    assert.ok(ops[3]!.t - ops[2]!.t >= 4000);
    assert.deepEqual(
      events.map((e) => `${e.outcome} ${e.f}`),
      ["invoke kill", "ok kill", "invoke start", "ok start"],
    );
  });

  test("kill without restartAfter only kills", async () => {
    const { driver, ops, nemesis } = setup([{ kind: "kill", name: "k", node: "a2", at: 10, target: "a2" }]);
    nemesis.start();
    await nemesis.idle();
    assert.deepEqual(calls(driver, "a2"), ["kill"]);
    assert.deepEqual(steps(ops), ["invoke kill", "ok kill"]);
  });

  test("pause for a while: SIGSTOP then SIGCONT `for` later", async () => {
    const { driver, ops, nemesis } = setup([
      { kind: "pause", name: "p", node: "a2", at: 20, for: 80, target: "a2" },
    ]);
    nemesis.start();
    await nemesis.idle();
    assert.deepEqual(calls(driver, "a2"), ["pause", "resume"]);
    assertGap(callAt(driver, "a2", "pause"), callAt(driver, "a2", "resume"), 80, "pause for");
    assert.deepEqual(steps(ops), ["invoke pause", "ok pause", "invoke resume", "ok resume"]);
    assert.ok(ops.every((o) => o.kind === "pause" && o.node === "a2"));
  });

  test("restart: stop, then start `for` later (for 0 starts straight away)", async () => {
    const { driver, ops, nemesis } = setup([
      { kind: "restart", name: "r1", node: "a1", at: 10, for: 100, target: "a1" },
      { kind: "restart", name: "r2", node: "a2", at: 10, for: 0, target: "a2" },
    ]);
    nemesis.start();
    await nemesis.idle();
    assert.deepEqual(calls(driver, "a1"), ["stop", "start"]);
    assert.deepEqual(calls(driver, "a2"), ["stop", "start"]);
    assertGap(callAt(driver, "a1", "stop"), callAt(driver, "a1", "start"), 100, "restart for");
    assert.ok(callAt(driver, "a2", "start") - callAt(driver, "a2", "stop") < 60_000);
    assert.deepEqual(steps(ops.filter((o) => o.fault === "r1")), [
      "invoke stop",
      "ok stop",
      "invoke start",
      "ok start",
    ]);
    assert.ok(ops.every((o) => o.kind === "restart"));
  });

  test("slow sets the collector's delay, then restores 0 when the driver reports no base delay", async () => {
    const { driver, ops, nemesis } = setup([
      { kind: "slow", name: "s", node: "collector", at: 10, for: 60, delay: 500, target: "collector" },
    ]);
    nemesis.start();
    await nemesis.idle();
    assert.deepEqual(
      driver.delays.map((d) => [d.node, d.delayMs]),
      [
        ["collector", 500],
        ["collector", 0],
      ],
    );
    assertGap(driver.delays[0]!.t, driver.delays[1]!.t, 60, "slow for");
    assert.deepEqual(steps(ops), ["invoke slow", "ok slow", "invoke fast", "ok fast"]);
    assert.ok(ops.every((o) => o.kind === "slow" && o.node === "collector"));
  });

  test("slow restores the collector's configured base delay, not 0", async () => {
    const { driver, nemesis } = setup(
      [{ kind: "slow", name: "s", node: "collector", at: 5, for: 30, delay: 400, target: "collector" }],
      DelayDriver,
    );
    nemesis.start();
    await nemesis.idle();
    assert.deepEqual(
      driver.delays.map((d) => d.delayMs),
      [400, 25],
    );
  });

  test("a node the driver does not know: a fail op with the reason, no heal, no throw", async () => {
    const { ops, events, nemesis } = setup([
      { kind: "pause", name: "ghost", node: "a9", at: 5, for: 20, target: "a9" },
    ]);
    nemesis.start();
    await nemesis.idle();
    assert.deepEqual(steps(ops), ["invoke pause", "fail pause"]);
    assert.equal(ops[1]?.error, "no node a9");
    assert.deepEqual(events.at(-1), {
      fault: "ghost",
      f: "pause",
      node: "a9",
      outcome: "fail",
      error: "no node a9",
    });
  });

  test("a kill that fails is not followed by a start; the error keeps its first line only", async () => {
    const { driver, ops, nemesis } = setup([
      { kind: "kill", name: "k", node: "a1", at: 5, restartAfter: 10, target: "a1" },
    ]);
    driver.nodes.get("a1")!.failing.add("kill");
    nemesis.start();
    await nemesis.idle();
    assert.deepEqual(calls(driver, "a1"), ["kill"]);
    assert.deepEqual(steps(ops), ["invoke kill", "fail kill"]);
    assert.equal(ops[1]?.error, "kill failed");
  });

  test("a second kill without a restart in between is not applied: the node is not running", async () => {
    const { driver, ops, nemesis } = setup([
      { kind: "kill", name: "k1", node: "a1", at: 0, target: "a1" },
      { kind: "kill", name: "k2", node: "a1", at: 30, target: "a1" },
    ]);
    nemesis.start();
    await nemesis.idle();
    assert.deepEqual(calls(driver, "a1"), ["kill"]);
    assert.deepEqual(steps(ops.filter((o) => o.fault === "k2")), ["invoke kill", "fail kill"]);
    assert.match(ops.find((o) => o.fault === "k2" && o.type === "fail")?.error ?? "", /a1 is not running/);
    assert.equal(faultApplication(ops.filter((o) => o.fault === "k2")).applied, false);
    assert.equal(faultApplication(ops.filter((o) => o.fault === "k1")).applied, true);
  });

  test("pausing or restarting a node that is down is not applied either", async () => {
    const { driver, ops, nemesis } = setup([
      { kind: "kill", name: "k", node: "a1", at: 0, target: "a1" },
      { kind: "pause", name: "p", node: "a1", at: 20, for: 10, target: "a1" },
      { kind: "restart", name: "r", node: "a1", at: 40, for: 0, target: "a1" },
    ]);
    nemesis.start();
    await nemesis.idle();
    assert.deepEqual(calls(driver, "a1"), ["kill"]);
    assert.deepEqual(steps(ops.filter((o) => o.fault === "p")), ["invoke pause", "fail pause"]);
    assert.deepEqual(steps(ops.filter((o) => o.fault === "r")), ["invoke stop", "fail stop"]);
  });

  test("a resume that throws is recorded as fail", async () => {
    const { driver, ops, nemesis } = setup([
      { kind: "pause", name: "p", node: "a1", at: 5, for: 10, target: "a1" },
    ]);
    driver.nodes.get("a1")!.failing.add("resume");
    nemesis.start();
    await nemesis.idle();
    assert.deepEqual(steps(ops), ["invoke pause", "ok pause", "invoke resume", "fail resume"]);
  });

  test("cancel() drops pending heals and faults not yet started; idle() resolves at once", async () => {
    const { driver, ops, nemesis } = setup([
      { kind: "kill", name: "k", node: "a1", at: 10, restartAfter: 300, target: "a1" },
      { kind: "pause", name: "p", node: "a2", at: 10, for: 300, target: "a2" },
      { kind: "slow", name: "s", node: "collector", at: 10, for: 300, delay: 100, target: "collector" },
      { kind: "restart", name: "later", node: "a2", at: 250, for: 10, target: "a2" },
    ]);
    nemesis.start();
    await waitFor("first steps", () => ops.filter((o) => o.type === "ok").length === 3);
    nemesis.cancel();
    const t0 = performance.now();
    await nemesis.idle();
    assert.ok(performance.now() - t0 < 100, "idle() waited for dropped heals");
    await new Promise((r) => setTimeout(r, 350));
    assert.deepEqual(calls(driver, "a1"), ["kill"]);
    assert.deepEqual(calls(driver, "a2"), ["pause"]);
    assert.deepEqual(
      driver.delays.map((d) => d.delayMs),
      [100],
    );
    assert.deepEqual(ops.map((o) => `${o.type} ${o.f}`).sort(), [
      "invoke kill",
      "invoke pause",
      "invoke slow",
      "ok kill",
      "ok pause",
      "ok slow",
    ]);
  });
});
