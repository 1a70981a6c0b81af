import assert from "node:assert/strict";
import { test } from "node:test";
import { Channel, EOF, type Item } from "../../../../harness/proxy/link/channel.ts";

const chunk = (n: number, tag = 0) => ({ data: Buffer.alloc(n, tag), time: 0 });

test("FIFO order, byte accounting and unshift to the front", () => {
  const c = new Channel(100);
  c.push(chunk(10, 1));
  c.push(chunk(20, 2));
  c.push(EOF);
  assert.equal(c.length, 3);
  assert.equal(c.queuedBytes, 30);
  const first = c.shift() as { data: Buffer };
  assert.equal(first.data[0], 1);
  c.unshift(chunk(5, 9));
  assert.equal(c.queuedBytes, 25);
  assert.equal((c.shift() as { data: Buffer }).data[0], 9);
  assert.equal((c.shift() as { data: Buffer }).data[0], 2);
  assert.equal(c.shift(), EOF);
  assert.equal(c.shift(), undefined);
  assert.equal(c.queuedBytes, 0);
});

test("a waiting reader gets the next item directly; cancelRead leaves items queued", () => {
  const c = new Channel(100);
  const seen: Item[] = [];
  c.onItem((it) => seen.push(it));
  c.push(chunk(1));
  assert.equal(seen.length, 1);
  assert.equal(c.length, 0);
  c.onItem((it) => seen.push(it));
  c.cancelRead();
  c.push(chunk(1));
  assert.equal(seen.length, 1);
  assert.equal(c.length, 1);
});

test("space() waits while at capacity and resolves as items are taken, or on retire", async () => {
  const c = new Channel(10);
  c.push(chunk(6));
  c.push(chunk(6));
  assert.ok(c.full());
  let freed = false;
  const w = c.space().then(() => {
    freed = true;
  });
  await Promise.resolve();
  assert.equal(freed, false);
  c.shift();
  await w;
  assert.equal(freed, true);
  c.push(chunk(20));
  let retired = false;
  const r = c.space().then(() => {
    retired = true;
  });
  c.retire();
  await r;
  assert.ok(retired);
  assert.equal(c.drainAll().length, 2);
  assert.equal(c.queuedBytes, 0);
});

test("many shifts compact the backing array without losing order", () => {
  const c = new Channel(1 << 30);
  for (let i = 0; i < 5000; i++) c.push(chunk(1, i & 255));
  for (let i = 0; i < 5000; i++) assert.equal((c.shift() as { data: Buffer }).data[0], i & 255);
  assert.equal(c.length, 0);
});
