import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { test } from "node:test";
import { pickPorts } from "../../lib/pick-ports.ts";

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(port, "127.0.0.1", () => resolve(s));
  });

test("pickPorts gives distinct ports below the ephemeral range, each free to bind", async () => {
  const ports = await pickPorts(20);
  assert.equal(new Set(ports).size, 20);
  for (const p of ports) {
    assert.ok(p >= 20_000 && p < 32_000, String(p));
    (await listen(p)).close();
  }
});

test("pickPorts never gives a port something listens on", async () => {
  const [held] = (await pickPorts(1)) as [number];
  const s = await listen(held);
  try {
    // A range of two: the held port and the one after it.
    for (let i = 0; i < 10; i++)
      assert.deepEqual(await pickPorts(1, "127.0.0.1", held, held + 2), [held + 1]);
  } finally {
    s.close();
  }
});
