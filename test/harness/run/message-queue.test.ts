// The typed-array queue against a plain array of the same messages: whatever is pushed comes back
// out of take() equal and in order, across growth, sliding to the front, keys and trace sizes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../../../harness/generator/random.ts";
import type { PlannedMessage } from "../../../harness/generator/schedule.ts";
import { MessageQueue } from "../../../harness/run/message-queue.ts";

test("take returns what was pushed, in order, as a plain array would", () => {
  const producers = 3;
  const producer = 2;
  const random = seededRandom(11);
  const q = new MessageQueue(producer, producers);
  const model: PlannedMessage[] = [];
  let seq = 0;
  let taken = 0;
  for (let step = 0; step < 4000; step++) {
    // Pushes outrun takes for a while (growth), then takes catch up (the slide to the front).
    const pushes = step < 2000 ? Math.floor(random() * 30) : Math.floor(random() * 10);
    for (let i = 0; i < pushes; i++) {
      const m: PlannedMessage = {
        index: seq * producers + producer,
        producer,
        seq,
        intendedUs: seq * 137 + 5,
        key: seq > 5000 && seq % 3 === 0 ? `k${seq % 17}` : undefined,
      };
      if (seq > 20_000 && seq % 5 === 0) m.size = 100 + (seq % 50);
      seq++;
      q.push(m);
      model.push(m);
    }
    if (q.length > 0) assert.equal(q.headIntendedUs(), model[0]?.intendedUs);
    const n = 1 + Math.floor(random() * 20);
    const got = q.take(n);
    const want = model.splice(0, n);
    assert.deepEqual(got, want);
    taken += got.length;
    assert.equal(q.length, model.length);
  }
  assert.ok(taken > 20_000 && seq > 25_000, `${taken} of ${seq} taken`);
  assert.deepEqual(q.take(1e9), model);
  assert.equal(q.length, 0);
});
