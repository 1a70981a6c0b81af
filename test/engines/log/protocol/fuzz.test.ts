/** Seeded, bounded fuzzing of the request decoder: damage must only ever raise decode errors. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeRequest,
  encodeRequest,
  UnsupportedApiError,
} from "../../../../engines/log/protocol/header.ts";
import { ProtocolDecodeError } from "../../../../engines/log/protocol/reader.ts";
import { mutate, newSamples, rng, samples } from "../helpers/samples.ts";

const expected = (e: unknown) => e instanceof ProtocolDecodeError || e instanceof UnsupportedApiError;

test("decoder: 20 000 mutated valid requests decode or fail with a protocol error", () => {
  const r = rng(20261125);
  const frames = [...samples, ...newSamples].map((s, i) =>
    encodeRequest({ apiKey: s.apiKey, apiVersion: s.apiVersion, correlationId: i, clientId: "fz" }, s.body),
  );
  let decoded = 0;
  let rejected = 0;
  for (let i = 0; i < 20_000; i++) {
    let f = frames[Math.floor(r() * frames.length)]!;
    for (let k = 0, n = 1 + Math.floor(r() * 3); k < n; k++) f = mutate(f, r);
    try {
      decodeRequest(f.subarray(4));
      decoded++;
    } catch (e) {
      if (!expected(e))
        assert.fail(`unexpected ${(e as Error).name}: ${(e as Error).message} for ${f.toString("hex")}`);
      rejected++;
    }
  }
  assert.ok(decoded > 1000 && rejected > 1000, `both outcomes exercised (${decoded}/${rejected})`);
});

test("decoder: 20 000 random byte strings never escape as anything but decode errors", () => {
  const r = rng(7);
  for (let i = 0; i < 20_000; i++) {
    const len = Math.floor(r() * 64);
    const b = Buffer.from(Array.from({ length: len }, () => Math.floor(r() * 256)));
    // Half of them get a plausible header so the body decoders are reached.
    if (len >= 4 && r() < 0.5) b.writeInt16BE(samples[Math.floor(r() * samples.length)]!.apiKey, 0);
    try {
      decodeRequest(b);
    } catch (e) {
      if (!expected(e))
        assert.fail(`unexpected ${(e as Error).name}: ${(e as Error).message} for ${b.toString("hex")}`);
    }
  }
});

test("decoder: an array count that cannot fit is refused before allocating", () => {
  const f = encodeRequest(
    { apiKey: 20, apiVersion: 1, correlationId: 1, clientId: null },
    { topicNames: [], timeoutMs: 1 },
  );
  f.writeInt32BE(0x7ffffff0, 4 + 10);
  assert.throws(() => decodeRequest(f.subarray(4)), /exceeds remaining/);
});
