// slicer: slicing covers every byte exactly once, and through the proxy every byte arrives, in
// many smaller pieces.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { sliceOffsets } from "../../../../harness/proxy/toxics/slicer.ts";
import { addToxic, connectTo, type ProxyFixture, proxyTo, readBytes, tcpServer } from "../helpers/net.ts";

test("sliceOffsets tiles [0, n) with slices near the average size", () => {
  let seed = 1;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  for (const n of [1, 7, 100, 1000, 4096]) {
    const o = sliceOffsets(0, n, 50, 10, random);
    assert.equal(o[0], 0);
    assert.equal(o[o.length - 1], n);
    for (let i = 1; i < o.length - 1; i += 2) assert.equal(o[i], o[i + 1], "contiguous");
    for (let i = 0; i < o.length; i += 2) {
      const size = (o[i + 1] ?? 0) - (o[i] ?? 0);
      assert.ok(size > 0 && size <= 60, `slice of ${size} for n=${n}`);
    }
  }
  // Average 0 with no variation would recurse forever in Go; here it ends at single bytes.
  assert.equal(sliceOffsets(0, 8, 0, 0, Math.random).length, 16);
});

const payload = randomBytes(20_000);
let server: Awaited<ReturnType<typeof tcpServer>>;
let fx: ProxyFixture;
before(async () => {
  server = await tcpServer((s) => s.once("data", () => s.write(payload)));
  fx = await proxyTo(server.port);
});
after(async () => {
  await fx.close();
  await server.close();
});

test("every byte arrives, in order, in many pieces", async () => {
  await addToxic(fx, { type: "slicer", attributes: { average_size: 100, size_variation: 20, delay: 1000 } });
  const s = await connectTo(fx.port);
  let events = 0;
  s.on("data", () => {
    events++;
  });
  const got = readBytes(s, payload.length);
  s.write("go");
  assert.ok((await got).equals(payload));
  assert.ok(events >= 50, `${events} reads`);
  s.destroy();
  await fx.post("/reset");
});
