/**
 * A worker on "another host": its own network namespace, reached over a veth pair with a delay on
 * the link, so the clock-offset estimate works across a real delayed path. The delay is `tc netem`
 * on the veth ends; kernels built without sch_netem (as in some VMs) get it from our fault proxy's
 * latency toxic instead, on the same path (the test says which). Needs root and `ip netns` (CI runs
 * as root); skipped, with the reason, elsewhere.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import { type RunningProxy, serveProxy } from "../../../harness/proxy/main.ts";
import type { ClockReply } from "../../../harness/remote/protocol.ts";
import { measureOffset } from "../../../harness/remote/remote-load.ts";
import { startWorker, type WorkerProcess } from "../../helpers/worker-process.ts";

const tag = `${process.pid % 100_000}`;
const ns = `fbw${tag}`;
const hostIf = `fbh${tag}`;
const nsIf = `fbn${tag}`;
const octet = (process.pid % 200) + 20;
const hostAddr = `10.213.${octet}.1`;
const nsAddr = `10.213.${octet}.2`;
const token = "netns-test-token-0123456789";

const ip = (...args: string[]) => spawnSync("ip", args, { encoding: "utf8" });
const must = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr || r.error}`);
};

function whyNot(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root for ip netns (CI runs as root)";
  const probe = ip("netns", "add", ns);
  if (probe.error) return "the ip command is missing (apt-get install -y iproute2)";
  if (probe.status !== 0) return `ip netns add is not permitted here: ${probe.stderr.trim()}`;
  const tc = spawnSync("tc", ["-V"], { encoding: "utf8" });
  if (tc.error) return "the tc command is missing (apt-get install -y iproute2)";
  return undefined;
}

const skip = whyNot();
let worker: WorkerProcess | undefined;
let proxy: RunningProxy | undefined;
/** netem in the kernel, or else the proxy's latency toxic. */
let via: "netem" | "proxy" = "netem";

before(() => {
  if (skip) return;
  must("ip", ["link", "add", hostIf, "type", "veth", "peer", "name", nsIf]);
  must("ip", ["link", "set", nsIf, "netns", ns]);
  must("ip", ["addr", "add", `${hostAddr}/24`, "dev", hostIf]);
  must("ip", ["link", "set", hostIf, "up"]);
  must("ip", ["-n", ns, "addr", "add", `${nsAddr}/24`, "dev", nsIf]);
  must("ip", ["-n", ns, "link", "set", nsIf, "up"]);
  must("ip", ["-n", ns, "link", "set", "lo", "up"]);
  const probe = spawnSync("tc", ["qdisc", "add", "dev", hostIf, "root", "netem", "delay", "1ms"], {
    encoding: "utf8",
  });
  if (probe.status !== 0) via = "proxy";
  else spawnSync("tc", ["qdisc", "del", "dev", hostIf, "root"]);
});

after(async () => {
  await worker?.stop();
  await proxy?.close();
  if (skip) return;
  ip("netns", "del", ns);
  ip("link", "del", hostIf);
});

/** Delay on each direction of the link (ms): coordinator → worker, worker → coordinator. */
async function delay(outMs: number, backMs: number): Promise<void> {
  if (via === "proxy") return proxyDelay(outMs, backMs);
  for (const [dev, netns, ms] of [
    [hostIf, undefined, outMs],
    [nsIf, ns, backMs],
  ] as const) {
    const pre = netns ? ["ip", "netns", "exec", netns] : [];
    spawnSync(pre[0] ?? "tc", [
      ...pre.slice(1),
      ...(netns ? ["tc"] : []),
      "qdisc",
      "del",
      "dev",
      dev,
      "root",
    ]);
    if (ms > 0)
      must(pre[0] ?? "tc", [
        ...pre.slice(1),
        ...(netns ? ["tc"] : []),
        "qdisc",
        "add",
        "dev",
        dev,
        "root",
        "netem",
        "delay",
        `${ms}ms`,
      ]);
  }
}

const api = () => `http://127.0.0.1:${proxy?.port}`;
async function proxyDelay(outMs: number, backMs: number): Promise<void> {
  for (const [stream, ms] of [
    ["upstream", outMs],
    ["downstream", backMs],
  ] as const) {
    await fetch(`${api()}/proxies/worker/toxics/${stream}-delay`, { method: "DELETE" });
    if (ms > 0) {
      const r = await fetch(`${api()}/proxies/worker/toxics`, {
        method: "POST",
        body: JSON.stringify({
          name: `${stream}-delay`,
          type: "latency",
          stream,
          attributes: { latency: ms, jitter: 0 },
        }),
      });
      const text = await r.text();
      assert.ok(r.ok, text);
    }
  }
}

test("clock offset across a netem link: the true offset lies within the estimate's error", {
  skip,
}, async (t) => {
  worker = await startWorker({
    netns: ns,
    host: nsAddr,
    args: ["--allow-remote"],
    env: { FAULTBENCH_WORKER_TOKEN: token },
  });
  let base = worker.url;
  if (via === "proxy") {
    // The coordinator's path to the worker's namespace goes through a proxy in the root namespace.
    proxy = await serveProxy({ allowRemote: true, port: 0 });
    const r = await fetch(`${api()}/proxies`, {
      method: "POST",
      body: JSON.stringify({ name: "worker", listen: "127.0.0.1:0", upstream: `${nsAddr}:${worker.port}` }),
    });
    const text = await r.text();
    assert.ok(r.ok, text);
    base = `http://${(JSON.parse(text) as { listen: string }).listen}`;
  }
  t.diagnostic(
    `delay on the link by ${via === "netem" ? "tc netem" : "the fault proxy (this kernel has no sch_netem)"}`,
  );
  const get = async (path: string): Promise<ClockReply> => {
    const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200);
    return (await r.json()) as ClockReply;
  };
  assert.equal((await fetch(`${worker.url}/v1/clock`)).status, 401, "remote calls need the token");

  // Same kernel, so the true offset is the processes' clock-origin difference: about 0 (±2 ms).
  const slackUs = 2000;
  await delay(20, 20);
  const sym = await measureOffset(get, 8);
  t.diagnostic(
    `symmetric 20+20 ms: offset ${sym.offsetUs} µs, rtt ${sym.rttUs} µs, error bound ${sym.errorUs} µs`,
  );
  assert.ok(sym.rttUs >= 40_000, `the netem delay is on the path (rtt ${sym.rttUs} µs)`);
  assert.ok(Math.abs(sym.offsetUs) <= sym.errorUs + slackUs);
  assert.ok(Math.abs(sym.offsetUs) <= 5000, "symmetric delay cancels out");

  // Asymmetric delay is what the estimate cannot see: it shifts by half the asymmetry, and the
  // error bound (half the RTT) still covers it.
  await delay(40, 0);
  const asym = await measureOffset(get, 8);
  t.diagnostic(
    `asymmetric 40+0 ms: offset ${asym.offsetUs} µs, rtt ${asym.rttUs} µs, error bound ${asym.errorUs} µs`,
  );
  assert.ok(asym.offsetUs >= 15_000, `a one-way delay biases the estimate (offset ${asym.offsetUs} µs)`);
  assert.ok(Math.abs(asym.offsetUs) <= asym.errorUs + slackUs);
});
