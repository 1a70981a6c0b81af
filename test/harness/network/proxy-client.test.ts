// The proxy driven by toxiproxy-node-client itself (the reference client), then through the
// harness's ProxyClient wrapper, including the gaps the wrapper fills.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Toxiproxy, ToxiproxyError } from "toxiproxy-node-client";
import { isFaultbenchError } from "../../../harness/errors.ts";
import { ProxyClient } from "../../../harness/network/proxy-client.ts";
import { serveProxy } from "../../../harness/proxy/main.ts";
import { connectTo, echoServer, roundTrip } from "../proxy/helpers/net.ts";

let url = "";
let close: () => Promise<void>;
let echo: { port: number; close(): Promise<void> };

before(async () => {
  const running = await serveProxy({ port: 0 });
  url = `http://127.0.0.1:${running.port}`;
  close = running.close;
  echo = await echoServer();
});
after(async () => {
  await close();
  await echo.close();
});

describe("toxiproxy-node-client against this server", () => {
  test("every call of the library works and sees Toxiproxy's responses", async () => {
    const tp = new Toxiproxy(url);
    assert.equal(await tp.getVersion(), '{"version": "2.12.0-faultbench"}\n');
    const proxy = await tp.createProxy({
      name: "lib",
      listen: "127.0.0.1:0",
      upstream: `127.0.0.1:${echo.port}`,
    });
    assert.equal(proxy.enabled, true);
    assert.match(proxy.listen, /^127\.0\.0\.1:\d+$/);
    assert.deepEqual(Object.keys(await tp.getAll()), ["lib"]);
    assert.equal((await tp.get("lib")).upstream, `127.0.0.1:${echo.port}`);

    const toxic = await proxy.addToxic({
      name: "lat",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 40, jitter: 0 },
    });
    assert.deepEqual(toxic.toJson(), {
      name: "lat",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 40, jitter: 0 },
    });
    const port = Number(proxy.listen.split(":")[1]);
    const s = await connectTo(port);
    assert.ok((await roundTrip(s, Buffer.from("ping"))) >= 38);
    const fetched = await proxy.getToxic<{ latency: number; jitter: number }>("lat");
    const updated = await fetched.update({ ...fetched.toJson(), attributes: { latency: 0, jitter: 0 } });
    assert.equal(updated.attributes.latency, 0);
    assert.ok((await roundTrip(s, Buffer.from("ping"))) < 30);
    s.destroy();

    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    assert.equal(disabled.enabled, false);
    await updated.remove();
    const populated = await tp.populate([
      { name: "lib", listen: proxy.listen, upstream: proxy.upstream },
      { name: "lib2", listen: "127.0.0.1:0", upstream: proxy.upstream },
    ]);
    assert.deepEqual(Object.keys(populated).sort(), ["lib", "lib2"]);
    await tp.reset();
    assert.equal((await tp.get("lib")).enabled, true);
    await (await tp.get("lib")).remove();
    await populated.lib2?.remove();
    assert.deepEqual(await tp.getAll(), {});
  });

  test("errors surface as ToxiproxyError with the status (and no body: a library gap)", async () => {
    const tp = new Toxiproxy(url);
    await assert.rejects(tp.get("missing"), (e: unknown) => {
      assert.ok(e instanceof ToxiproxyError);
      assert.equal(e.message, "Request failed with status code 404");
      return true;
    });
    await tp.createProxy({ name: "dup", listen: "127.0.0.1:0", upstream: `127.0.0.1:${echo.port}` });
    await assert.rejects(
      tp.createProxy({ name: "dup", listen: "127.0.0.1:0", upstream: `127.0.0.1:${echo.port}` }),
      /status code 409/,
    );
    await (await tp.get("dup")).remove();
  });
});

describe("ProxyClient wrapper", () => {
  test("create, add/list/remove toxics, disable/enable, reset", async () => {
    const client = new ProxyClient(url);
    const p = await client.createProxy("w", "127.0.0.1:0", `127.0.0.1:${echo.port}`);
    assert.equal(p.enabled, true);
    const t = await client.addToxic("w", { type: "latency", attributes: { latency: 30 } });
    assert.deepEqual(t, {
      name: "latency_downstream",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 30, jitter: 0 },
    });
    await client.addToxic("w", { type: "noop", stream: "upstream", name: "n" });
    assert.deepEqual(
      (await client.listToxics("w")).map((x) => x.name),
      ["n", "latency_downstream"],
    );
    await client.removeToxic("w", "n");
    assert.deepEqual(
      (await client.listToxics("w")).map((x) => x.name),
      ["latency_downstream"],
    );
    const off = await client.setEnabled("w", false);
    assert.equal(off.enabled, false);
    await assert.rejects(connectTo(Number(p.listen.split(":")[1])), /ECONNREFUSED/);
    assert.equal((await client.setEnabled("w", true)).enabled, true);
    await client.reset();
    assert.deepEqual(await client.listToxics("w"), []);
  });

  test("failures are FB_PROXY errors carrying the server's reason", async () => {
    const client = new ProxyClient(url);
    await assert.rejects(client.createProxy("w", "127.0.0.1:0", `127.0.0.1:${echo.port}`), (e: unknown) => {
      assert.ok(isFaultbenchError(e));
      assert.equal(e.code, "FB_PROXY");
      assert.equal(e.context.status, 409);
      assert.equal(e.context.reason, "proxy already exists");
      return true;
    });
    await assert.rejects(
      client.addToxic("w", { type: "latency", stream: "sideways" as "upstream" }),
      /HTTP 400: stream was invalid/,
    );
    await assert.rejects(client.removeToxic("w", "nope"), /HTTP 404: toxic not found/);
    await assert.rejects(client.listToxics("nope"), /HTTP 404: proxy not found/);
    await assert.rejects(new ProxyClient("http://127.0.0.1:1").reset(), /cannot reach/);
  });
});

test("a proxy server that stops answering fails the call instead of hanging the run", async () => {
  const { createServer } = await import("node:http");
  const silent = createServer(() => {
    // never answers
  });
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
  const port = (silent.address() as { port: number }).port;
  try {
    const client = new ProxyClient(`http://127.0.0.1:${port}`, { timeoutMs: 200 });
    const t0 = Date.now();
    await assert.rejects(client.reset(), (e: unknown) => {
      assert.ok(isFaultbenchError(e));
      assert.equal(e.code, "FB_PROXY");
      assert.match(e.message, /no answer .* within 200 ms/);
      return true;
    });
    assert.ok(Date.now() - t0 < 2000);
  } finally {
    silent.closeAllConnections();
    silent.close();
  }
});
