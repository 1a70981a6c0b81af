import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  UnsupportedApiError,
} from "../../../../engines/log/protocol/header.ts";
import { advertisedVersions } from "../../../../engines/log/protocol/registry.ts";
import { hex } from "../helpers/bytes.ts";

test("request header v1: api_key api_version correlation_id client_id", () => {
  const frame = hex(`
    0000000c                 # size
    000c 0003 0000002a       # Heartbeat v3, correlation 42
    0002 6331                # client_id "c1"
  `);
  // Header only: decoding the body must fail because it is missing.
  assert.throws(() => decodeRequest(frame.subarray(4)), /need/);
  const full = encodeRequest(
    { apiKey: 12, apiVersion: 3, correlationId: 42, clientId: "c1" },
    { groupId: "g", generationId: 1, memberId: "m", groupInstanceId: null },
  );
  assert.equal(
    full.subarray(0, 16).toString("hex"),
    hex("00000018 000c 0003 0000002a 0002 6331").toString("hex"),
  );
  assert.equal(decodeRequest(full.subarray(4)).body.memberId, "m");
});

test("request header v2 (flexible): tag section after client_id, which stays int16-length", () => {
  const frame = hex(`
    0012 0003 00000001 ffff   # ApiVersions v3, correlation 1, client_id null
    00                        # header TAG_BUFFER
    02 61 02 62 00            # name "a", version "b", tags
  `);
  const d = decodeRequest(frame);
  assert.deepEqual(d.body, { clientSoftwareName: "a", clientSoftwareVersion: "b" });
  const again = encodeRequest(d.header, d.body);
  assert.equal(again.subarray(4).toString("hex"), frame.toString("hex"));
});

test("unknown key or version is reported with the parsed header", () => {
  const e = (() => {
    try {
      decodeRequest(hex("7fff 0000 00000009 ffff"));
    } catch (err) {
      return err;
    }
  })();
  assert.ok(e instanceof UnsupportedApiError);
  assert.equal(e.header.correlationId, 9);
  assert.throws(() => decodeRequest(hex("0001 0003 00000009 ffff")), UnsupportedApiError); // Fetch v3
});

test("response header v0 is a bare correlation id, also for flexible ApiVersions v3", () => {
  const out = Buffer.concat(encodeResponse(12, 3, 7, { throttleTimeMs: 0, errorCode: 0 }));
  assert.equal(out.toString("hex"), hex("0000000a 00000007 00000000 0000").toString("hex"));
  const av = Buffer.concat(encodeResponse(18, 3, 7, { errorCode: 0, apiKeys: [], throttleTimeMs: 0 }));
  assert.equal(av.toString("hex"), hex("0000000c 00000007 0000 01 00000000 00").toString("hex"));
  assert.equal(decodeResponse(18, 3, av.subarray(4)).correlationId, 7);
});

test("ApiVersions advertises exactly the implemented table", () => {
  assert.deepEqual(advertisedVersions(), [
    { apiKey: 0, minVersion: 0, maxVersion: 7 },
    { apiKey: 1, minVersion: 4, maxVersion: 12 },
    { apiKey: 2, minVersion: 1, maxVersion: 5 },
    { apiKey: 3, minVersion: 0, maxVersion: 9 },
    { apiKey: 8, minVersion: 2, maxVersion: 8 },
    { apiKey: 9, minVersion: 1, maxVersion: 8 },
    { apiKey: 10, minVersion: 0, maxVersion: 4 },
    { apiKey: 11, minVersion: 0, maxVersion: 6 },
    { apiKey: 12, minVersion: 0, maxVersion: 4 },
    { apiKey: 13, minVersion: 0, maxVersion: 4 },
    { apiKey: 14, minVersion: 0, maxVersion: 4 },
    { apiKey: 15, minVersion: 0, maxVersion: 2 },
    { apiKey: 16, minVersion: 0, maxVersion: 2 },
    { apiKey: 18, minVersion: 0, maxVersion: 3 },
    { apiKey: 19, minVersion: 0, maxVersion: 7 },
    { apiKey: 20, minVersion: 0, maxVersion: 1 },
    { apiKey: 22, minVersion: 0, maxVersion: 4 },
    { apiKey: 23, minVersion: 0, maxVersion: 3 },
    { apiKey: 32, minVersion: 0, maxVersion: 4 },
    { apiKey: 33, minVersion: 0, maxVersion: 2 },
    { apiKey: 42, minVersion: 0, maxVersion: 2 },
    { apiKey: 43, minVersion: 0, maxVersion: 2 },
    { apiKey: 44, minVersion: 0, maxVersion: 1 },
    { apiKey: 45, minVersion: 0, maxVersion: 0 },
    { apiKey: 46, minVersion: 0, maxVersion: 0 },
  ]);
});
