import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32c } from "../../../../engines/log/records/crc32c.ts";

test("CRC-32C check value and known vectors", () => {
  assert.equal(crc32c(Buffer.from("123456789")), 0xe3069283);
  assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
  assert.equal(crc32c(Buffer.alloc(0)), 0);
});

test("slicing-by-16 agrees with the bitwise definition at every length and offset", () => {
  const bitwise = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) {
      c ^= x;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    }
    return (c ^ 0xffffffff) >>> 0;
  };
  const data = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff));
  for (let start = 0; start < 9; start++) {
    for (let end = start; end <= data.length; end += 7) {
      assert.equal(crc32c(data, start, end), bitwise(data.subarray(start, end)));
    }
  }
  // Word loads depend on the buffer's alignment in its ArrayBuffer: try every misalignment.
  const backing = Buffer.alloc(data.length + 8);
  for (let shift = 0; shift < 8; shift++) {
    const view = backing.subarray(shift, shift + data.length);
    data.copy(view);
    for (let start = 0; start < 5; start++) {
      for (let end = start; end <= data.length; end += 5) {
        assert.equal(crc32c(view, start, end), bitwise(data.subarray(start, end)));
      }
    }
  }
});
