import assert from "node:assert/strict";
import { test } from "node:test";
import { sessionStart } from "../../../../engines/log/controller/sessions.ts";

const base = { self: 2, now: 100_000, electionTimeoutMs: 500, sessionTimeoutMs: 3000 };

test("the previous active controller's broker: its session counts from its last Raft append", () => {
  const lastAppendFrom = { id: 1, at: 100_000 - 800 };
  assert.equal(sessionStart({ ...base, broker: 1, lastAppendFrom }), 99_200);
});

test("every other broker gets a full session from the election (time to find the new controller)", () => {
  const lastAppendFrom = { id: 1, at: 100_000 - 800 };
  assert.equal(sessionStart({ ...base, broker: 3, lastAppendFrom }), 100_000);
  assert.equal(sessionStart({ ...base, broker: 2, lastAppendFrom }), 100_000);
  assert.equal(sessionStart({ ...base, broker: 1, lastAppendFrom: undefined }), 100_000);
  // This node's own broker never counts from an append of its own.
  assert.equal(sessionStart({ ...base, broker: 2, lastAppendFrom: { id: 2, at: 99_900 } }), 100_000);
});

test("a sighting older than an election can explain (this voter stalled) is not used", () => {
  // Three election timeouts (1,500 ms) is the most an election takes after the last append.
  assert.equal(sessionStart({ ...base, broker: 1, lastAppendFrom: { id: 1, at: 100_000 - 1500 } }), 98_500);
  assert.equal(sessionStart({ ...base, broker: 1, lastAppendFrom: { id: 1, at: 100_000 - 1501 } }), 100_000);
  assert.equal(
    sessionStart({ ...base, broker: 1, lastAppendFrom: { id: 1, at: 100_000 - 60_000 } }),
    100_000,
  );
  // And never more than half a session: the old controller's broker keeps time to find the new one.
  const long = { ...base, electionTimeoutMs: 2000, sessionTimeoutMs: 4000 };
  assert.equal(sessionStart({ ...long, broker: 1, lastAppendFrom: { id: 1, at: 100_000 - 2000 } }), 98_000);
  assert.equal(sessionStart({ ...long, broker: 1, lastAppendFrom: { id: 1, at: 100_000 - 2001 } }), 100_000);
  // A clock that went backwards is no sighting either.
  assert.equal(sessionStart({ ...base, broker: 1, lastAppendFrom: { id: 1, at: 100_500 } }), 100_000);
});
