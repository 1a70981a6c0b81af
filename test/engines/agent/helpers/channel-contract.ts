/**
 * Transaction semantics every channel must have (Flume's Transaction contract), run against both
 * the memory and the file channel: puts invisible until commit, takes hidden from other takers and
 * returned to the head in order on rollback, transactionCapacity, and a full channel failing a
 * commit after keep-alive with nothing enqueued.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { type Channel, ChannelException, ChannelFullException } from "../../../../engines/agent/channel.ts";
import type { AgentEvent } from "../../../../engines/agent/event.ts";

export const ev = (body: string, headers: Record<string, string> = {}): AgentEvent => ({ headers, body });

export async function putAll(ch: Channel, bodies: string[]): Promise<void> {
  const tx = ch.begin();
  for (const b of bodies) tx.put(ev(b));
  await tx.commit();
}

export async function takeAll(ch: Channel, max = 1000): Promise<string[]> {
  const tx = ch.begin();
  const out: string[] = [];
  for (let i = 0; i < max; i++) {
    const e = tx.take();
    if (!e) break;
    out.push(e.body);
  }
  await tx.commit();
  return out;
}

/** `make(capacity, transactionCapacity, keepAliveMs)` returns a started channel. */
export function channelContract(
  label: string,
  make: (capacity: number, txCap: number, keepAliveMs: number) => Promise<Channel>,
): void {
  test(`${label}: puts are invisible until commit and gone after rollback`, async () => {
    const ch = await make(10, 5, 0);
    try {
      const tx = ch.begin();
      tx.put(ev("a", { k: "v" }));
      tx.put(ev("b"));
      assert.equal(ch.size(), 0);
      assert.equal(ch.begin().take(), undefined);
      await tx.commit();
      assert.equal(ch.size(), 2);
      const rb = ch.begin();
      rb.put(ev("never"));
      await rb.rollback();
      const t = ch.begin();
      assert.deepEqual(t.take(), { headers: { k: "v" }, body: "a" });
      assert.deepEqual(t.take(), { headers: {}, body: "b" });
      assert.equal(t.take(), undefined);
      await t.commit();
      assert.equal(ch.size(), 0);
      assert.equal(ch.counters.EventPutSuccessCount, 2);
      assert.equal(ch.counters.EventTakeSuccessCount, 2);
    } finally {
      await ch.stop();
    }
  });

  test(`${label}: taken events are hidden from others and return to the head in order on rollback`, async () => {
    const ch = await make(10, 5, 0);
    try {
      await putAll(ch, ["1", "2", "3", "4"]);
      const t1 = ch.begin();
      assert.equal(t1.take()?.body, "1");
      assert.equal(t1.take()?.body, "2");
      const t2 = ch.begin();
      assert.equal(t2.take()?.body, "3");
      await t1.rollback();
      assert.deepEqual(await takeAll(ch), ["1", "2", "4"]);
      await t2.rollback();
      assert.deepEqual(await takeAll(ch), ["3"]);
    } finally {
      await ch.stop();
    }
  });

  test(`${label}: transactionCapacity bounds puts and takes of one transaction`, async () => {
    const ch = await make(10, 2, 0);
    try {
      const tx = ch.begin();
      tx.put(ev("a"));
      tx.put(ev("b"));
      assert.throws(() => tx.put(ev("c")), ChannelException);
      await tx.commit();
      await putAll(ch, ["c"]);
      const t = ch.begin();
      t.take();
      t.take();
      assert.throws(() => t.take(), ChannelException);
      await t.rollback();
      assert.equal(ch.size(), 3);
    } finally {
      await ch.stop();
    }
  });

  test(`${label}: a commit needing more room than free fails after keep-alive and enqueues nothing`, async () => {
    const ch = await make(3, 3, 150);
    try {
      await putAll(ch, ["a", "b"]);
      const tx = ch.begin();
      tx.put(ev("x"));
      tx.put(ev("y"));
      const t0 = Date.now();
      await assert.rejects(tx.commit(), ChannelFullException);
      assert.ok(Date.now() - t0 >= 140, "commit must wait keep-alive before giving up");
      await tx.rollback();
      assert.equal(ch.size(), 2);
      assert.deepEqual(await takeAll(ch), ["a", "b"]);
    } finally {
      await ch.stop();
    }
  });

  test(`${label}: a waiting commit succeeds as soon as a take commit frees room`, async () => {
    const ch = await make(2, 2, 2000);
    try {
      await putAll(ch, ["a", "b"]);
      const tx = ch.begin();
      tx.put(ev("c"));
      const committing = tx.commit();
      // A taken-but-uncommitted event still holds its slot, as in Flume.
      const t = ch.begin();
      t.take();
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(ch.size(), 1);
      await t.commit();
      await committing;
      assert.deepEqual(await takeAll(ch, 2), ["b", "c"]);
    } finally {
      await ch.stop();
    }
  });

  test(`${label}: commits woken by the same freed room never overfill the channel`, async () => {
    const ch = await make(4, 4, 400);
    try {
      await putAll(ch, ["a", "b", "c", "d"]);
      // Five commits of two events each wait for room; then two slots are freed at once.
      const waiting = Array.from({ length: 5 }, (_, i) => {
        const tx = ch.begin();
        tx.put(ev(`w${i}a`));
        tx.put(ev(`w${i}b`));
        return tx.commit().then(
          () => "ok",
          (e: unknown) => (e instanceof ChannelFullException ? "full" : String(e)),
        );
      });
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await takeAll(ch, 2), ["a", "b"]);
      const outcomes = await Promise.all(waiting);
      assert.equal(outcomes.filter((o) => o === "ok").length, 1, outcomes.join(","));
      assert.equal(outcomes.filter((o) => o === "full").length, 4, outcomes.join(","));
      assert.equal(ch.size(), 4, "never above capacity");
    } finally {
      await ch.stop();
    }
  });

  test(`${label}: waitForEvents wakes on commit, not on an uncommitted put`, async () => {
    const ch = await make(10, 5, 0);
    try {
      const waiting = ch.waitForEvents(2000);
      const tx = ch.begin();
      tx.put(ev("a"));
      assert.equal(await ch.waitForEvents(20), false);
      await tx.commit();
      assert.equal(await waiting, true);
    } finally {
      await ch.stop();
    }
  });
}
