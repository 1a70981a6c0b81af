// Conformance of the HTTP API with Toxiproxy (docs/anchors.md §9), driven with raw fetch so every
// status code, header and byte of the bodies is checked.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { serveProxy } from "../../../../harness/proxy/main.ts";
import { connectTo, echoServer, listen, sleep } from "../helpers/net.ts";

let api = "";
let close: () => Promise<void>;
let echo: { port: number; close(): Promise<void> };

before(async () => {
  const running = await serveProxy({ port: 0 });
  api = `http://127.0.0.1:${running.port}`;
  close = running.close;
  echo = await echoServer();
});
after(async () => {
  await close();
  await echo.close();
});

async function call(method: string, path: string, body?: unknown, raw?: string) {
  const res = await fetch(`${api}${path}`, {
    method,
    ...(raw !== undefined ? { body: raw } : body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

function assertApiError(
  r: { status: number; text: string; headers: Headers },
  status: number,
  error: string,
) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.text, `${JSON.stringify({ error, status })}\n`);
  assert.equal(r.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(r.headers.get("x-content-type-options"), "nosniff");
}

const up = () => `127.0.0.1:${echo.port}`;

describe("middleware and routing", () => {
  test("GET /version: hand-written JSON with a space, its own content type, a request id", async () => {
    const r = await call("GET", "/version");
    assert.equal(r.status, 200);
    assert.equal(r.text, '{"version": "2.12.0-faultbench"}\n');
    assert.equal(r.headers.get("content-type"), "application/json;charset=utf-8");
    assert.match(r.headers.get("x-toxiproxy-request-id") ?? "", /^[0-9a-f]{20}$/);
  });

  test("browser user agents get 403", async () => {
    const res = await fetch(`${api}/proxies`, { headers: { "User-Agent": "Mozilla/5.0 (X11)" } });
    assert.equal(res.status, 403);
    assert.equal(await res.text(), "User agent not allowed\n");
    assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
  });

  test("unknown path is 404 page not found, known path with another method is an empty 405", async () => {
    const r = await call("GET", "/nope");
    assert.equal(r.status, 404);
    assert.equal(r.text, "404 page not found\n");
    assert.equal(r.headers.get("x-content-type-options"), "nosniff");
    const m = await call("DELETE", "/version");
    assert.equal(m.status, 405);
    assert.equal(m.text, "");
    assert.equal((await call("PUT", "/proxies")).status, 405);
    assert.equal((await call("GET", "/reset")).status, 405);
    assert.equal((await call("GET", "/proxies/a/toxics/b/c")).status, 404);
  });
});

describe("proxies", () => {
  test("create: 201 with Toxiproxy's field order and the bound address; duplicates 409", async () => {
    const r = await call("POST", "/proxies", { name: "c1", listen: "localhost:0", upstream: up() });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get("content-type"), "application/json");
    const port = Number((JSON.parse(r.text) as { listen: string }).listen.split(":")[1]);
    assert.ok(port > 0);
    assert.equal(
      r.text,
      `{"name":"c1","listen":"127.0.0.1:${port}","upstream":"${up()}","enabled":true,"Logger":{},"toxics":[]}`,
    );
    (await connectTo(port)).destroy();
    assertApiError(
      await call("POST", "/proxies", { name: "c1", listen: "127.0.0.1:0", upstream: up() }),
      409,
      "proxy already exists",
    );
    assert.equal((await call("DELETE", "/proxies/c1")).status, 204);
  });

  test("create: validation errors in Toxiproxy's order and words", async () => {
    assertApiError(await call("POST", "/proxies", undefined, ""), 400, "bad request body: EOF");
    const bad = await call("POST", "/proxies", undefined, "{nope");
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.text).error, /^bad request body: /);
    const wrongType = await call("POST", "/proxies", { name: 5, upstream: up() });
    assert.equal(wrongType.status, 400);
    assert.match(JSON.parse(wrongType.text).error, /^bad request body: json: cannot unmarshal number/);
    assertApiError(await call("POST", "/proxies", { upstream: up() }), 400, "missing required field: name");
    assertApiError(await call("POST", "/proxies", { name: "x" }), 400, "missing required field: upstream");
  });

  test("create disabled: nothing listens, listen echoed as given", async () => {
    const r = await call("POST", "/proxies", {
      name: "d1",
      listen: "127.0.0.1:0",
      upstream: up(),
      enabled: false,
    });
    assert.equal(r.status, 201);
    assert.deepEqual(JSON.parse(r.text), {
      name: "d1",
      listen: "127.0.0.1:0",
      upstream: up(),
      enabled: false,
      Logger: {},
      toxics: [],
    });
    await call("DELETE", "/proxies/d1");
  });

  test("create on a busy port: 500 with Go's bind message", async () => {
    const blocker = createServer();
    const port = await listen(blocker);
    const r = await call("POST", "/proxies", { name: "b1", listen: `127.0.0.1:${port}`, upstream: up() });
    assertApiError(r, 500, `listen tcp 127.0.0.1:${port}: bind: address already in use`);
    assert.equal((await call("GET", "/proxies/b1")).status, 404);
    blocker.close();
  });

  test("non-loopback upstream or listen is refused (403) without the remote opt-in", async () => {
    const r = await call("POST", "/proxies", { name: "r1", listen: "127.0.0.1:0", upstream: "10.1.2.3:80" });
    assert.equal(r.status, 403);
    assert.match(JSON.parse(r.text).error, /not a loopback address/);
    const h = await call("POST", "/proxies", {
      name: "r2",
      listen: "127.0.0.1:0",
      upstream: "example.com:80",
    });
    assert.equal(h.status, 403);
    const l = await call("POST", "/proxies", { name: "r3", listen: "0.0.0.0:0", upstream: up() });
    assert.equal(l.status, 403);
    assert.equal((await call("GET", "/proxies")).text.includes('"r1"'), false);
  });

  test("index, show, 404s, partial update by PATCH and POST, delete", async () => {
    await call("POST", "/proxies", { name: "zz", listen: "127.0.0.1:0", upstream: up() });
    await call("POST", "/proxies", { name: "aa", listen: "127.0.0.1:0", upstream: up() });
    const index = await call("GET", "/proxies");
    assert.equal(index.status, 200);
    assert.equal(index.headers.get("content-type"), "application/json");
    const names = Object.keys(JSON.parse(index.text) as object);
    assert.deepEqual(
      names.filter((n) => n === "aa" || n === "zz"),
      ["aa", "zz"],
    );
    const shown = JSON.parse((await call("GET", "/proxies/aa")).text) as { listen: string; enabled: boolean };
    assert.equal(shown.enabled, true);
    assertApiError(await call("GET", "/proxies/missing"), 404, "proxy not found");
    assertApiError(await call("PATCH", "/proxies/missing", { enabled: false }), 404, "proxy not found");

    const port = Number(shown.listen.split(":")[1]);
    const off = await call("PATCH", "/proxies/aa", { enabled: false, name: "ignored" });
    assert.equal(off.status, 200);
    assert.deepEqual(JSON.parse(off.text), {
      ...JSON.parse((await call("GET", "/proxies/aa")).text),
      enabled: false,
      name: "aa",
    });
    await assert.rejects(connectTo(port), /ECONNREFUSED/);
    const on = await call("POST", "/proxies/aa", { enabled: true });
    assert.equal(JSON.parse(on.text).enabled, true);
    assert.equal(JSON.parse(on.text).listen, shown.listen, "re-enabling keeps the listen address");
    (await connectTo(port)).destroy();

    const moved = await call("PATCH", "/proxies/aa", { upstream: "127.0.0.1:1" });
    assert.deepEqual(
      { ...JSON.parse(moved.text), listen: "" },
      { name: "aa", listen: "", upstream: "127.0.0.1:1", enabled: true, Logger: {}, toxics: [] },
    );
    assertApiError(await call("PATCH", "/proxies/aa", undefined, ""), 400, "bad request body: EOF");

    const del = await call("DELETE", "/proxies/aa");
    assert.equal(del.status, 204);
    assert.equal(del.text, "");
    assertApiError(await call("DELETE", "/proxies/aa"), 404, "proxy not found");
    await call("DELETE", "/proxies/zz");
  });
});

describe("toxics", () => {
  before(async () => {
    await call("POST", "/proxies", { name: "t", listen: "127.0.0.1:0", upstream: up() });
  });

  test("create: 200, defaults (downstream, toxicity 1, name <type>_<stream>, zero attributes)", async () => {
    const r = await call("POST", "/proxies/t/toxics", { type: "latency", unknown: 1 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get("content-type"), "application/json");
    assert.equal(
      r.text,
      '{"attributes":{"latency":0,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}',
    );
    const s = await call("POST", "/proxies/t/toxics", {
      type: "slicer",
      stream: "UpStream",
      toxicity: 0.5,
      attributes: { average_size: 10, delay: 3, other: 9 },
    });
    assert.deepEqual(JSON.parse(s.text), {
      attributes: { average_size: 10, size_variation: 0, delay: 3 },
      name: "slicer_UpStream",
      type: "slicer",
      stream: "UpStream",
      toxicity: 0.5,
    });
    for (const type of ["bandwidth", "slow_close", "timeout", "reset_peer", "limit_data", "noop"]) {
      const t = await call("POST", "/proxies/t/toxics", { type, name: `k_${type}` });
      assert.equal(t.status, 200, `${type}: ${t.text}`);
    }
  });

  test("create: errors in Toxiproxy's check order", async () => {
    assertApiError(await call("POST", "/proxies/none/toxics", undefined, "{bad"), 404, "proxy not found");
    assertApiError(await call("POST", "/proxies/t/toxics", undefined, ""), 400, "bad request body: EOF");
    const attrs = await call("POST", "/proxies/t/toxics", {
      type: "latency",
      name: "x",
      attributes: { latency: 1.5 },
    });
    assert.equal(attrs.status, 400);
    assert.match(JSON.parse(attrs.text).error, /^bad request body: json: cannot unmarshal number 1.5/);
    const stream = "stream was invalid, can be either upstream or downstream";
    assertApiError(
      await call("POST", "/proxies/t/toxics", { type: "nope", stream: "sideways" }),
      400,
      stream,
    );
    assertApiError(await call("POST", "/proxies/t/toxics", { type: "latency", stream: "" }), 400, stream);
    assertApiError(await call("POST", "/proxies/t/toxics", { type: "nope" }), 400, "invalid toxic type");
    assertApiError(await call("POST", "/proxies/t/toxics", { type: "latency" }), 409, "toxic already exists");
    // Names are unique across both directions.
    assertApiError(
      await call("POST", "/proxies/t/toxics", {
        type: "latency",
        name: "latency_downstream",
        stream: "upstream",
      }),
      409,
      "toxic already exists",
    );
  });

  test("index lists upstream toxics first; show and its 404s", async () => {
    const list = JSON.parse((await call("GET", "/proxies/t/toxics")).text) as {
      name: string;
      stream: string;
    }[];
    assert.equal(list[0]?.name, "slicer_UpStream");
    assert.ok(list.slice(1).every((t) => t.stream === "downstream"));
    const proxy = JSON.parse((await call("GET", "/proxies/t")).text) as { toxics: unknown[] };
    assert.deepEqual(proxy.toxics, list);
    const shown = await call("GET", "/proxies/t/toxics/latency_downstream");
    assert.equal(shown.status, 200);
    assert.equal(JSON.parse(shown.text).type, "latency");
    assertApiError(await call("GET", "/proxies/t/toxics/none"), 404, "toxic not found");
    assertApiError(await call("GET", "/proxies/none/toxics/x"), 404, "proxy not found");
    assertApiError(await call("GET", "/proxies/none/toxics"), 404, "proxy not found");
  });

  test("update by POST and PATCH is partial; name, type and stream cannot change", async () => {
    const a = await call("POST", "/proxies/t/toxics/latency_downstream", {
      attributes: { latency: 50, jitter: 5 },
    });
    assert.equal(a.status, 200, a.text);
    const b = await call("PATCH", "/proxies/t/toxics/latency_downstream", {
      attributes: { jitter: 7 },
      toxicity: 0.25,
      name: "renamed",
      type: "bandwidth",
      stream: "upstream",
    });
    assert.equal(
      b.text,
      '{"attributes":{"latency":50,"jitter":7},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":0.25}',
    );
    assertApiError(await call("PATCH", "/proxies/t/toxics/none", {}), 404, "toxic not found");
    assertApiError(await call("PATCH", "/proxies/none/toxics/none", {}), 404, "proxy not found");
    const bad = await call("PATCH", "/proxies/t/toxics/latency_downstream", { toxicity: "high" });
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse((await call("GET", "/proxies/t/toxics/latency_downstream")).text).toxicity, 0.25);
  });

  test("delete: 204 then 404", async () => {
    const d = await call("DELETE", "/proxies/t/toxics/k_noop");
    assert.equal(d.status, 204);
    assert.equal(d.text, "");
    assertApiError(await call("DELETE", "/proxies/t/toxics/k_noop"), 404, "toxic not found");
    assertApiError(await call("DELETE", "/proxies/none/toxics/k_noop"), 404, "proxy not found");
  });

  test("reset: 204, every toxic removed and every proxy enabled", async () => {
    await call("PATCH", "/proxies/t", { enabled: false });
    const r = await call("POST", "/reset");
    assert.equal(r.status, 204);
    assert.equal(r.text, "");
    const t = JSON.parse((await call("GET", "/proxies/t")).text) as { enabled: boolean; toxics: unknown[] };
    assert.equal(t.enabled, true);
    assert.deepEqual(t.toxics, []);
    await call("DELETE", "/proxies/t");
  });
});

describe("populate", () => {
  test("creates all: 201 {proxies:[…]} with JSON content type", async () => {
    const r = await call("POST", "/populate", [
      { name: "p1", listen: "127.0.0.1:0", upstream: up() },
      { name: "p2", listen: "127.0.0.1:0", upstream: up(), enabled: false },
    ]);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get("content-type"), "application/json");
    const body = JSON.parse(r.text) as { proxies: { name: string; enabled: boolean }[] };
    assert.deepEqual(
      body.proxies.map((p) => [p.name, p.enabled]),
      [
        ["p1", true],
        ["p2", false],
      ],
    );
  });

  test("an identical entry leaves the running proxy and its toxics alone; a changed one is replaced", async () => {
    const p1 = JSON.parse((await call("GET", "/proxies/p1")).text) as { listen: string };
    await call("POST", "/proxies/p1/toxics", { type: "latency" });
    const same = await call("POST", "/populate", [{ name: "p1", listen: p1.listen, upstream: up() }]);
    assert.equal(same.status, 201);
    assert.equal(JSON.parse((await call("GET", "/proxies/p1")).text).toxics.length, 1);
    const changed = await call("POST", "/populate", [{ name: "p1", listen: "127.0.0.1:0", upstream: up() }]);
    assert.equal(changed.status, 201);
    assert.equal(JSON.parse((await call("GET", "/proxies/p1")).text).toxics.length, 0);
  });

  test("validation happens before anything changes: 400 with proxies null, JSON body", async () => {
    const r = await call("POST", "/populate", [
      { name: "p3", listen: "127.0.0.1:0", upstream: up() },
      { name: "p4", listen: "127.0.0.1:0" },
    ]);
    assert.equal(r.status, 400);
    assert.equal(r.headers.get("content-type"), "application/json");
    assert.equal(
      r.text,
      '{"error":"missing required field: upstream at proxy 2","status":400,"proxies":null}',
    );
    assert.equal((await call("GET", "/proxies/p3")).status, 404);
    const n = await call("POST", "/populate", [{ upstream: up() }]);
    assert.equal(JSON.parse(n.text).error, "missing required field: name at proxy 1");
    const e = await call("POST", "/populate", undefined, "");
    assert.equal(e.text, '{"error":"bad request body: EOF","status":400,"proxies":null}');
    assert.equal((await call("POST", "/populate", { name: "x" })).status, 400);
  });

  test("a failure part way reports the error and the proxies created so far", async () => {
    const blocker = createServer();
    const port = await listen(blocker);
    const r = await call("POST", "/populate", [
      { name: "p5", listen: "127.0.0.1:0", upstream: up() },
      { name: "p6", listen: `127.0.0.1:${port}`, upstream: up() },
    ]);
    assert.equal(r.status, 500);
    const body = JSON.parse(r.text) as { error: string; status: number; proxies: { name: string }[] };
    assert.equal(body.error, `listen tcp 127.0.0.1:${port}: bind: address already in use`);
    assert.equal(body.status, 500);
    assert.deepEqual(
      body.proxies.map((p) => p.name),
      ["p5"],
    );
    blocker.close();
    for (const n of ["p1", "p2", "p5"]) assert.equal((await call("DELETE", `/proxies/${n}`)).status, 204);
    await sleep(0);
  });
});
