import assert from "node:assert/strict";
import { test } from "node:test";
import { ProtocolDecodeError, Reader } from "../../../../engines/log/protocol/reader.ts";
import { compileStruct, type Field } from "../../../../engines/log/protocol/schema.ts";
import { Writer } from "../../../../engines/log/protocol/writer.ts";

const fields: Field[] = [
  { name: "id", type: "int32" },
  { name: "name", type: "string" },
  { name: "note", type: "string", nullable: [0], versions: [1] },
  { name: "tags", type: { array: "string" }, versions: [1] },
  {
    name: "parts",
    type: {
      array: [
        { name: "index", type: "int32" },
        { name: "records", type: "records" },
        { name: "big", type: "int64", versions: [2] },
      ],
    },
    nullable: [1],
  },
  { name: "flag", type: "bool", versions: [2], default: true },
];

const roundTrip = (version: number, flexible: boolean, v: Record<string, unknown>) => {
  const c = compileStruct(fields, version, flexible);
  const w = new Writer(16);
  c.encode(w, v);
  return c.decode(new Reader(w.toBuffer()));
};

test("generated codecs round-trip every field type, plain and flexible, with absent fields' defaults last", () => {
  const records = Buffer.from("batch bytes");
  for (const flexible of [false, true]) {
    const v2 = roundTrip(2, flexible, {
      id: 7,
      name: "t",
      note: null,
      tags: ["a", "b"],
      parts: [{ index: 1, records, big: 2 ** 40 }],
      flag: false,
    });
    assert.deepEqual(v2, {
      id: 7,
      name: "t",
      note: null,
      tags: ["a", "b"],
      parts: [{ index: 1, records, big: 2 ** 40 }],
      flag: false,
    });
    // v0 lacks note, tags and flag (and each part's big): decoded with their defaults, after the
    // fields on the wire; an array default is a fresh array each time.
    const a = roundTrip(0, flexible, { id: 1, name: "x", parts: [{ index: 0, records: null }] });
    assert.deepEqual(Object.keys(a), ["id", "name", "parts", "note", "tags", "flag"]);
    assert.deepEqual(a, {
      id: 1,
      name: "x",
      parts: [{ index: 0, records: null, big: 0 }],
      note: null,
      tags: [],
      flag: true,
    });
    (a.tags as string[]).push("mutated");
    const b = roundTrip(0, flexible, { id: 2, name: "y", parts: [] });
    assert.deepEqual(b.tags, []);
  }
});

test("generated codecs write defaults for missing fields and refuse a null non-nullable array", () => {
  // Fields a handler leaves out are written as their defaults (flag: true), strings as null.
  const c = compileStruct(fields, 2, false);
  const w = new Writer(16);
  c.encode(w, { id: 3, name: "n", tags: [], parts: null });
  assert.deepEqual(c.decode(new Reader(w.toBuffer())), {
    id: 3,
    name: "n",
    note: null,
    tags: [],
    parts: null,
    flag: true,
  });
  // tags is not nullable: a null count on the wire is a decode error naming the field.
  const bad = new Writer(16);
  bad.int32(3).string("n").nstring(null).int32(-1);
  assert.throws(
    () => c.decode(new Reader(bad.toBuffer())),
    (e: unknown) => {
      assert.ok(e instanceof ProtocolDecodeError);
      assert.match((e as Error).message, /tags/);
      return true;
    },
  );
});
