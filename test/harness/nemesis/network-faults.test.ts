// The network nemesis against the real proxy server, in-process: each fault's effect is read back
// from the proxy's API while it is active and after it healed, and its steps from the history.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, beforeEach, describe, test } from "node:test";
import { faultApplication } from "../../../harness/checkers/fault-applied.ts";
import type { NemesisOp } from "../../../harness/history/op.ts";
import {
  isNetworkFault,
  type NetworkFault,
  NetworkNemesis,
} from "../../../harness/nemesis/network-faults.ts";
import type { FaultEvent } from "../../../harness/nemesis/node-faults.ts";
import { type Link, link } from "../../../harness/network/links.ts";
import { ProxyClient } from "../../../harness/network/proxy-client.ts";
import { serveProxy } from "../../../harness/proxy/main.ts";
import { echoServer } from "../proxy/helpers/net.ts";

const links: Link[] = [link("producers", "a1"), link("a1", "a2"), link("a2", "collector")];

let api = "";
let client: ProxyClient;
let closeProxy: () => Promise<void>;
let echo: { port: number; close(): Promise<void> };
const listenPort = new Map<string, number>();

before(async () => {
  const running = await serveProxy({ port: 0 });
  closeProxy = running.close;
  api = `http://127.0.0.1:${running.port}`;
  client = new ProxyClient(api);
  echo = await echoServer();
  for (const l of links) {
    const p = await client.createProxy(l.name, "127.0.0.1:0", `127.0.0.1:${echo.port}`);
    listenPort.set(l.name, Number(p.listen.split(":").pop()));
  }
});
after(async () => {
  await closeProxy();
  await echo.close();
});
beforeEach(async () => {
  await client.reset();
});

interface ProxyState {
  enabled: boolean;
  toxics: { name: string; type: string; stream: string; attributes: Record<string, number> }[];
}

/** GET /proxies, reduced to what the nemesis changes. */
async function proxies(): Promise<Record<string, ProxyState>> {
  const res = await fetch(`${api}/proxies`);
  assert.equal(res.status, 200);
  const all = (await res.json()) as Record<string, ProxyState>;
  const out: Record<string, ProxyState> = {};
  for (const [name, p] of Object.entries(all)) out[name] = { enabled: p.enabled, toxics: p.toxics };
  return out;
}

const toxicNames = async (proxy: string) => (await client.listToxics(proxy)).map((t) => t.name).sort();

function run(faults: NetworkFault[], loadEndUs = 5_000_000) {
  const ops: NemesisOp[] = [];
  const events: FaultEvent[] = [];
  const start = performance.now();
  const now = () => Math.round((performance.now() - start) * 1000);
  const nemesis = new NetworkNemesis(faults, {
    client,
    links,
    now,
    loadEndUs,
    record: (op) => ops.push(op),
    onEvent: (e) => events.push(e),
  });
  nemesis.start();
  return { nemesis, ops, events, now };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The ops as [type, f] pairs, to compare sequences. */
const steps = (ops: readonly NemesisOp[]) => ops.map((o) => `${o.type} ${o.f}`);
const okOf = (ops: readonly NemesisOp[], f: string) => ops.find((o) => o.f === f && o.type === "ok");
const invokeOf = (ops: readonly NemesisOp[], f: string) => ops.find((o) => o.f === f && o.type === "invoke");

function toxic(over: Partial<Extract<NetworkFault, { kind: "toxic" }>> = {}): NetworkFault {
  return {
    kind: "toxic",
    name: "lat",
    link: "a1->a2",
    type: "latency",
    attributes: { latency: 30 },
    stream: "downstream",
    toxicity: 1,
    at: 50,
    for: 200,
    target: "a1->a2",
    ...over,
  };
}

/** Whether a TCP connect to the port succeeds (false on ECONNREFUSED). */
function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

describe("isNetworkFault", () => {
  test("toxic, down and partition are network faults; node faults are not", () => {
    assert.equal(isNetworkFault(toxic()), true);
    assert.equal(
      isNetworkFault({ kind: "down", name: "d", link: "a1->a2", at: 0, for: 1, target: "a1->a2" }),
      true,
    );
    assert.equal(
      isNetworkFault({ kind: "pause", name: "p", node: "a1", at: 0, for: 1, target: "a1" }),
      false,
    );
  });
});

describe("NetworkNemesis", () => {
  test("toxic adds its toxic at `at` and removes it after `for`", async () => {
    const { nemesis, ops, events } = run([toxic()]);
    await waitFor("toxic ok", () => okOf(ops, "toxic") !== undefined);
    const during = await proxies();
    assert.deepEqual(
      during["a1->a2"]?.toxics.map((t) => ({ name: t.name, type: t.type, stream: t.stream })),
      [{ name: "lat", type: "latency", stream: "downstream" }],
    );
    assert.equal(during["a1->a2"]?.toxics[0]?.attributes.latency, 30);
    assert.deepEqual(during["producers->a1"]?.toxics, []);
    assert.deepEqual(during["a2->collector"]?.toxics, []);

    await nemesis.idle();
    assert.deepEqual(await toxicNames("a1->a2"), []);
    assert.deepEqual(steps(ops), ["invoke toxic", "ok toxic", "invoke untoxic", "ok untoxic"]);
    for (const o of ops) {
      assert.equal(o.process, "nemesis");
      assert.equal(o.fault, "lat");
      assert.equal(o.kind, "toxic");
      assert.equal(o.node, "a1->a2");
    }
    const inv = invokeOf(ops, "toxic")!;
    // libuv timers run off a cached loop clock, so they may fire a little early against performance.now().
    assert.ok(inv.t >= 45_000, `toxic invoked at ${inv.t}µs, before at=50ms`);
    assert.ok(inv.t < 150_000, `toxic invoked late: ${inv.t}µs`);
    const heal = invokeOf(ops, "untoxic")!;
    const held = heal.t - okOf(ops, "toxic")!.t;
    assert.ok(held >= 195_000 && held < 400_000, `held for ${held}µs, not ~200ms`);
    assert.deepEqual(
      events.map((e) => `${e.outcome} ${e.f} ${e.fault} ${e.node}`),
      [
        "invoke toxic lat a1->a2",
        "ok toxic lat a1->a2",
        "invoke untoxic lat a1->a2",
        "ok untoxic lat a1->a2",
      ],
    );
  });

  test("a toxic without `for` stays until the load ends (loadEndUs)", async () => {
    const { nemesis, ops } = run([toxic({ for: undefined, at: 20 })], 300_000);
    await waitFor("toxic ok", () => okOf(ops, "toxic") !== undefined);
    assert.deepEqual(await toxicNames("a1->a2"), ["lat"]);
    await nemesis.idle();
    assert.deepEqual(await toxicNames("a1->a2"), []);
    const heal = invokeOf(ops, "untoxic")!;
    assert.ok(heal.t >= 295_000 && heal.t < 500_000, `removed at ${heal.t}µs, not at loadEnd 300ms`);
  });

  test("down disables the link's proxy (connections refused) and enables it again", async () => {
    const port = listenPort.get("producers->a1")!;
    assert.equal(await canConnect(port), true);
    const { nemesis, ops } = run([
      { kind: "down", name: "cut-entry", link: "producers->a1", at: 50, for: 200, target: "producers->a1" },
    ]);
    await waitFor("disable ok", () => okOf(ops, "disable") !== undefined);
    const during = await proxies();
    assert.equal(during["producers->a1"]?.enabled, false);
    assert.equal(during["a1->a2"]?.enabled, true);
    assert.equal(await canConnect(port), false);

    await nemesis.idle();
    assert.equal((await proxies())["producers->a1"]?.enabled, true);
    assert.equal(await canConnect(port), true);
    assert.deepEqual(steps(ops), ["invoke disable", "ok disable", "invoke enable", "ok enable"]);
    assert.ok(ops.every((o) => o.fault === "cut-entry" && o.kind === "down" && o.node === "producers->a1"));
    const held = invokeOf(ops, "enable")!.t - okOf(ops, "disable")!.t;
    assert.ok(held >= 195_000 && held < 400_000, `down for ${held}µs, not ~200ms`);
  });

  test("partition blackholes exactly the crossing links in both directions, then heals", async () => {
    // a1 against producers and a2: producers->a1 and a1->a2 cross; collector is in no group.
    const groups = [["a1"], ["producers", "a2"]];
    const { nemesis, ops } = run([
      { kind: "partition", name: "split", groups, at: 50, for: 200, target: "a1 | producers,a2" },
    ]);
    await waitFor("partition ok", () => okOf(ops, "partition") !== undefined);
    const during = await proxies();
    for (const name of ["producers->a1", "a1->a2"]) {
      const toxics = (during[name]?.toxics ?? [])
        .map((t) => ({ name: t.name, type: t.type, stream: t.stream, timeout: t.attributes.timeout }))
        .sort((a, b) => a.name.localeCompare(b.name));
      assert.deepEqual(toxics, [
        { name: `split:${name}:down`, type: "timeout", stream: "downstream", timeout: 0 },
        { name: `split:${name}:up`, type: "timeout", stream: "upstream", timeout: 0 },
      ]);
      assert.equal(during[name]?.enabled, true);
    }
    assert.deepEqual(during["a2->collector"]?.toxics, []);

    await nemesis.idle();
    for (const l of links) assert.deepEqual(await toxicNames(l.name), [], l.name);
    assert.deepEqual(steps(ops), ["invoke partition", "ok partition", "invoke heal", "ok heal"]);
    assert.ok(
      ops.every((o) => o.fault === "split" && o.kind === "partition" && o.node === "a1 | producers,a2"),
    );
    const held = invokeOf(ops, "heal")!.t - okOf(ops, "partition")!.t;
    assert.ok(held >= 195_000 && held < 400_000, `partitioned for ${held}µs, not ~200ms`);
  });

  test("overlapping faults each run their own steps; ops stay paired and in time order", async () => {
    const { nemesis, ops } = run([
      toxic({ name: "slow-entry", link: "producers->a1", target: "producers->a1", at: 30, for: 150 }),
      { kind: "down", name: "off", link: "a2->collector", at: 60, for: 60, target: "a2->collector" },
    ]);
    await nemesis.idle();
    assert.deepEqual(
      ops.map((o) => `${o.type} ${o.f} ${o.fault}`),
      [
        "invoke toxic slow-entry",
        "ok toxic slow-entry",
        "invoke disable off",
        "ok disable off",
        "invoke enable off",
        "ok enable off",
        "invoke untoxic slow-entry",
        "ok untoxic slow-entry",
      ],
    );
    for (let i = 1; i < ops.length; i++) assert.ok(ops[i]!.t >= ops[i - 1]!.t);
    const state = await proxies();
    assert.ok(Object.values(state).every((p) => p.enabled && p.toxics.length === 0));
  });

  test("a failing step records a fail op with the error and does not throw; no heal follows", async () => {
    const { nemesis, ops, events } = run([
      toxic({ name: "ghost", link: "nope->x", target: "nope->x", at: 10 }),
      { kind: "down", name: "ghost-down", link: "nope->y", at: 10, for: 50, target: "nope->y" },
    ]);
    await nemesis.idle();
    const ghost = ops.filter((o) => o.fault === "ghost");
    assert.deepEqual(steps(ghost), ["invoke toxic", "fail toxic"]);
    assert.match(ghost[1]?.error ?? "", /nope->x/);
    assert.ok(!(ghost[1]?.error ?? "").includes("\n"), "the error is one line");
    assert.deepEqual(steps(ops.filter((o) => o.fault === "ghost-down")), ["invoke disable", "fail disable"]);
    const failed = events.filter((e) => e.outcome === "fail");
    assert.deepEqual(failed.map((e) => e.fault).sort(), ["ghost", "ghost-down"]);
    assert.ok(events.every((e) => e.outcome !== "fail" || typeof e.error === "string"));
  });

  test("a second toxic with a name already in use fails its add and leaves the first one alone", async () => {
    const { nemesis, ops } = run([
      toxic({ name: "dup", at: 10, for: 150 }),
      toxic({ name: "dup", at: 60, for: 10 }),
    ]);
    await waitFor("second add", () => ops.filter((o) => o.f === "toxic" && o.type !== "invoke").length === 2);
    assert.deepEqual(await toxicNames("a1->a2"), ["dup"]);
    await nemesis.idle();
    assert.deepEqual(steps(ops), [
      "invoke toxic",
      "ok toxic",
      "invoke toxic",
      "fail toxic",
      "invoke untoxic",
      "ok untoxic",
    ]);
    assert.deepEqual(await toxicNames("a1->a2"), []);
  });

  test("a toxic the proxy refuses is not applied", async () => {
    const { nemesis, ops } = run([
      toxic({ name: "dup", at: 10, for: 100 }),
      toxic({ name: "dup", at: 40, for: 10 }),
    ]);
    await nemesis.idle();
    // Both faults share the name here, so split them by the order of their first steps.
    const second = ops.slice(ops.findIndex((o, i) => i > 0 && o.f === "toxic" && o.type === "invoke"));
    assert.equal(faultApplication(ops.slice(0, 2)).applied, true);
    const app = faultApplication(second.filter((o) => o.f === "toxic"));
    assert.equal(app.applied, false);
    assert.match(app.applied ? "" : app.error, /toxic failed/);
  });

  test("a partition whose second half fails is not applied, and the half that went in is healed", async () => {
    // The toxic the partition would add on a2->collector is already there: the proxy refuses it.
    await client.addToxic("a2->collector", {
      name: "cut:a2->collector:up",
      type: "latency",
      stream: "upstream",
      toxicity: 1,
      attributes: { latency: 1 },
    });
    const { nemesis, ops } = run([
      {
        kind: "partition",
        name: "cut",
        groups: [["a1"], ["a2"], ["collector"]],
        at: 10,
        for: 50,
        target: "a1 | a2 | collector",
      },
    ]);
    await nemesis.idle();
    const app = faultApplication(ops);
    assert.equal(app.applied, false, "half a partition is not a partition");
    assert.deepEqual(await toxicNames("a1->a2"), []);
    assert.deepEqual(steps(ops), ["invoke partition", "fail partition", "invoke heal", "ok heal"]);
  });

  test("cancel() drops faults that have not started: no ops, nothing changed", async () => {
    const { nemesis, ops } = run([
      toxic({ at: 300 }),
      { kind: "down", name: "later", link: "a2->collector", at: 300, for: 100, target: "a2->collector" },
    ]);
    await new Promise((r) => setTimeout(r, 20));
    nemesis.cancel();
    const t0 = performance.now();
    await nemesis.idle();
    assert.ok(performance.now() - t0 < 100, "idle() waited for cancelled faults");
    await new Promise((r) => setTimeout(r, 350));
    assert.deepEqual(ops, []);
    const state = await proxies();
    assert.ok(Object.values(state).every((p) => p.enabled && p.toxics.length === 0));
  });

  test("cancel() during an active fault heals it at once, so the proxy keeps none of our toxics", async () => {
    const { nemesis, ops } = run([toxic({ at: 10, for: 10_000 })]);
    await waitFor("toxic ok", () => okOf(ops, "toxic") !== undefined);
    nemesis.cancel();
    const t0 = performance.now();
    await nemesis.idle();
    assert.ok(performance.now() - t0 < 1000, "the heal waited for `for` despite cancel()");
    assert.deepEqual(steps(ops), ["invoke toxic", "ok toxic", "invoke untoxic", "ok untoxic"]);
    assert.deepEqual(await toxicNames("a1->a2"), []);
  });
});
