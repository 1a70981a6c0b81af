import assert from "node:assert/strict";
import { test } from "node:test";
import { formatHostPort, isLoopbackHost, parseHostPort } from "../../../harness/proxy/address.ts";
import { serveProxy } from "../../../harness/proxy/main.ts";

test("parseHostPort understands Toxiproxy's address forms", () => {
  assert.deepEqual(parseHostPort("127.0.0.1:8474"), { host: "127.0.0.1", port: 8474 });
  assert.deepEqual(parseHostPort("localhost:0"), { host: "localhost", port: 0 });
  assert.deepEqual(parseHostPort("[::1]:9092"), { host: "::1", port: 9092 });
  assert.deepEqual(parseHostPort(":8080"), { host: "", port: 8080 });
  assert.equal(parseHostPort("nohost"), undefined);
  assert.equal(parseHostPort("::1:80"), undefined);
  assert.equal(parseHostPort("h:70000"), undefined);
  assert.equal(parseHostPort("h:x"), undefined);
  assert.equal(formatHostPort("::1", 5), "[::1]:5");
  assert.equal(formatHostPort("127.0.0.1", 5), "127.0.0.1:5");
});

test("only loopback addresses and the name localhost count as local", () => {
  for (const h of ["127.0.0.1", "127.5.6.7", "::1", "localhost", "LOCALHOST", "::ffff:127.0.0.1"]) {
    assert.ok(isLoopbackHost(h), h);
  }
  for (const h of ["10.0.0.1", "0.0.0.0", "::", "example.com", "localhost.evil.com", "", "128.0.0.1"]) {
    assert.ok(!isLoopbackHost(h), h);
  }
});

test("with the remote opt-in, non-loopback upstreams are accepted", async () => {
  const running = await serveProxy({ port: 0, allowRemote: true });
  try {
    const res = await fetch(`http://127.0.0.1:${running.port}/proxies`, {
      method: "POST",
      body: JSON.stringify({ name: "far", listen: "127.0.0.1:0", upstream: "10.1.2.3:80", enabled: false }),
    });
    assert.equal(res.status, 201);
  } finally {
    await running.close();
  }
});
