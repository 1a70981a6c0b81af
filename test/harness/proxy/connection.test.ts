// Connection lifecycle under load: many concurrent clients stay byte-exact while toxics churn on
// both streams, deleting a proxy closes even black-holed connections, and a half-close becomes a
// full close as in Toxiproxy.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import {
  addToxic,
  connectTo,
  echoServer,
  type ProxyFixture,
  proxyTo,
  readBytes,
  sleep,
  tcpServer,
  watchEnding,
} from "./helpers/net.ts";

let echo: Awaited<ReturnType<typeof echoServer>>;
let fx: ProxyFixture;
before(async () => {
  echo = await echoServer();
  fx = await proxyTo(echo.port);
});
after(async () => {
  await fx.close();
  await echo.close();
});

test("20 concurrent clients get exact echoes while toxics are added, updated and removed", async () => {
  let churning = true;
  let rounds = 0;
  const churn = (async () => {
    for (let i = 0; churning; i++, rounds++) {
      const stream = i % 2 === 0 ? "upstream" : "downstream";
      await addToxic(fx, { type: "latency", name: `l${i}`, stream, attributes: { latency: 1 + (i % 3) } });
      await addToxic(fx, {
        type: "slicer",
        name: `s${i}`,
        stream,
        attributes: { average_size: 512, size_variation: 100 },
      });
      await sleep(5);
      await fx.post(`/proxies/p/toxics/l${i}`, { attributes: { latency: 0, jitter: 1 } }, "PATCH");
      await sleep(5);
      await fx.post(`/proxies/p/toxics/s${i}`, undefined, "DELETE");
      await fx.post(`/proxies/p/toxics/l${i}`, undefined, "DELETE");
    }
  })();
  const client = async () => {
    const s = await connectTo(fx.port);
    for (let j = 0; j < 20; j++) {
      const msg = randomBytes(1 + Math.floor(Math.random() * 20_000));
      const reply = readBytes(s, msg.length);
      s.write(msg);
      assert.ok((await reply).equals(msg));
    }
    s.destroy();
  };
  await Promise.all(Array.from({ length: 20 }, client));
  churning = false;
  await churn;
  assert.ok(rounds >= 2, `only ${rounds} churn rounds overlapped the traffic`);
  const left = (await (await fetch(`${fx.api}/proxies/p/toxics`)).json()) as unknown[];
  assert.deepEqual(left, []);
});

test("deleting a proxy closes its connections, even one held by timeout 0", async () => {
  await addToxic(fx, { type: "timeout", attributes: { timeout: 0 } });
  const s = await connectTo(fx.port);
  s.write("anyone?");
  const ending = watchEnding(s, 1000);
  await sleep(20);
  const del = await fx.post("/proxies/p", undefined, "DELETE");
  assert.equal(del.status, 204);
  assert.notEqual((await ending).kind, "open");
  const again = await fx.post("/proxies", {
    name: "p",
    listen: `127.0.0.1:${fx.port}`,
    upstream: `127.0.0.1:${echo.port}`,
  });
  assert.equal(again.status, 201, "the port was released");
});

test("a client's half-close ends the whole connection, as in Toxiproxy", async () => {
  const late = await tcpServer((s) => s.on("end", () => setTimeout(() => s.end("late"), 50)));
  const r = await fx.post("/populate", [
    { name: "h", listen: "127.0.0.1:0", upstream: `127.0.0.1:${late.port}` },
  ]);
  const listen = ((await r.json()) as { proxies: { listen: string }[] }).proxies[0]?.listen ?? "";
  const s = await connectTo(Number(listen.split(":")[1]));
  const ending = watchEnding(s, 1000);
  s.end();
  const e = await ending;
  assert.equal(e.kind, "end");
  assert.equal(e.bytes, 0, "the server's reply after our FIN is not delivered");
  await late.close();
});
