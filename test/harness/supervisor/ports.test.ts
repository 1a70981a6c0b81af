import assert from "node:assert/strict";
import { test } from "node:test";
import { freePort, freePorts } from "../../../harness/supervisor/ports.ts";

test("free ports are distinct across calls and come from below the kernel's ephemeral range", async () => {
  const a = await freePorts(10);
  const b = [await freePort(), await freePort()];
  const all = [...a, ...b];
  assert.equal(new Set(all).size, all.length);
  for (const p of all) assert.ok(p >= 20_000 && p < 32_000, String(p));
});
