// limit_data: exactly N bytes get through, then the connection closes; the limit is per direction.
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { after, before, test } from "node:test";
import { addToxic, connectTo, type ProxyFixture, proxyTo, tcpServer, watchEnding } from "../helpers/net.ts";

let server: Awaited<ReturnType<typeof tcpServer>>;
let fx: ProxyFixture;
let received = 0;
const sockets: Socket[] = [];
before(async () => {
  server = await tcpServer((s) => {
    sockets.push(s);
    s.on("data", (d: Buffer) => {
      received += d.length;
    });
    s.write(Buffer.alloc(5000, 1));
  });
  fx = await proxyTo(server.port);
});
after(async () => {
  await fx.close();
  await server.close();
});

test("downstream limit 1000: the client reads exactly 1000 of 5000 bytes, then EOF", async () => {
  await addToxic(fx, { type: "limit_data", attributes: { bytes: 1000 } });
  const s = await connectTo(fx.port);
  const e = await watchEnding(s, 1000);
  assert.equal(e.kind, "end");
  assert.equal(e.bytes, 1000);
  s.destroy();
  await fx.post("/reset");
});

test("upstream limit 300: the server receives exactly 300 bytes", async () => {
  await addToxic(fx, { type: "limit_data", stream: "upstream", attributes: { bytes: 300 } });
  received = 0;
  const s = await connectTo(fx.port);
  const ending = watchEnding(s, 1000);
  s.write(Buffer.alloc(200, 2));
  s.write(Buffer.alloc(200, 3));
  await ending;
  assert.equal(received, 300);
  s.destroy();
  await fx.post("/reset");
});
