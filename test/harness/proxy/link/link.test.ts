// Data integrity of a link while its chain is rewired under load: every byte arrives once and in
// order whether the link is on the direct path or running toxics, and across adds, updates and
// removals in the middle of a transfer.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { addToxic, connectTo, type ProxyFixture, proxyTo, sleep, tcpServer } from "../helpers/net.ts";

/** A deterministic byte stream where loss, duplication or reordering changes the hash. */
function pattern(offset: number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    const k = offset + i;
    b[i] = (k * 31 + (k >> 8)) & 255;
  }
  return b;
}

const total = 12 * 1024 * 1024;
const expected = createHash("sha256").update(pattern(0, total)).digest("hex");

let server: Awaited<ReturnType<typeof tcpServer>>;
let fx: ProxyFixture;
before(async () => {
  // On request, streams `total` pattern bytes with backpressure, then ends.
  server = await tcpServer((s) =>
    s.once("data", () => {
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          const n = Math.min(64 * 1024, total - sent);
          const ok = s.write(pattern(sent, n));
          sent += n;
          if (!ok) {
            s.once("drain", pump);
            return;
          }
        }
        s.end();
      };
      pump();
    }),
  );
  fx = await proxyTo(server.port);
});
after(async () => {
  await fx.close();
  await server.close();
});

async function download(
  during?: () => Promise<void>,
): Promise<{ hash: string; bytes: number; bytesAfterEdits: number }> {
  const s = await connectTo(fx.port);
  const hash = createHash("sha256");
  let bytes = 0;
  const done = new Promise<void>((resolve) => {
    s.on("data", (d: Buffer) => {
      hash.update(d);
      bytes += d.length;
    });
    s.once("end", resolve);
    s.once("close", resolve);
  });
  s.write("go");
  if (during !== undefined) await during();
  const bytesAfterEdits = bytes;
  await done;
  s.destroy();
  return { hash: hash.digest("hex"), bytes, bytesAfterEdits };
}

test("direct path delivers every byte", async () => {
  const r = await download();
  assert.equal(r.bytes, total);
  assert.equal(r.hash, expected);
});

test("chain edits in the middle of a transfer keep every byte, in order", async () => {
  // A 5 MB/s cap keeps the transfer running (~2.4 s) while the chain is edited, with room for a
  // busy machine's slow API calls; it goes last.
  await addToxic(fx, { type: "bandwidth", name: "bw", attributes: { rate: 5_000 } });
  const r = await download(async () => {
    await sleep(5);
    await addToxic(fx, { type: "latency", name: "lat", attributes: { latency: 2 } });
    await sleep(20);
    await addToxic(fx, {
      type: "slicer",
      name: "sl",
      attributes: { average_size: 4096, size_variation: 1000 },
    });
    await addToxic(fx, { type: "noop", name: "n" });
    await sleep(20);
    await fx.post("/proxies/p/toxics/lat", { attributes: { latency: 1 } }, "PATCH");
    await sleep(20);
    await fx.post("/proxies/p/toxics/sl", undefined, "DELETE");
    await fx.post("/proxies/p/toxics/lat", undefined, "DELETE");
    await sleep(10);
    await fx.post("/proxies/p/toxics/n", undefined, "DELETE");
    await sleep(10);
    await fx.post("/proxies/p/toxics/bw", undefined, "DELETE");
  });
  assert.equal(r.bytes, total);
  assert.equal(r.hash, expected);
  assert.ok(r.bytesAfterEdits < total, "the edits happened while data was flowing");
});
