/**
 * Schema-driven codec. Each API is described once, as a table of fields annotated with the
 * versions they exist in (the same idea as Kafka's message JSON specs). `compile` turns a table
 * into a decoder/encoder for one concrete version, switching to the compact ("flexible") forms and
 * tagged-field sections when the version is flexible, so adding a flexible version later is a
 * matter of extending the version ranges, not writing a new codec.
 *
 *   Struct    => Field*  [TAG_BUFFER if flexible]
 *   Field     => one of the primitive types, or ARRAY(Struct | primitive)
 *   ARRAY     => int32 count (−1 = null)          | flexible: UNSIGNED_VARINT(count + 1)
 *   STRING    => int16 length (−1 = null) + UTF-8 | flexible: UNSIGNED_VARINT(length + 1)
 *   BYTES     => int32 length (−1 = null)         | flexible: UNSIGNED_VARINT(length + 1)
 */

import { ProtocolDecodeError, type Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

export type Primitive =
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint32"
  | "bool"
  | "string"
  | "bytes"
  | "uuid"
  | "float64"
  /** NULLABLE_BYTES holding record batches; decoded as a view into the frame. */
  | "records";

export interface ArrayType {
  array: Primitive | Field[];
}

export type FieldType = Primitive | ArrayType;

export interface Field {
  name: string;
  type: FieldType;
  /** Inclusive version range in which the field is on the wire; default all versions. */
  versions?: [number, number?];
  /** Versions in which null is allowed (strings, bytes, arrays); default never. */
  nullable?: [number, number?];
  /**
   * Value a decoder produces when the field is absent in the version. An encoder writes the
   * default (this, or the type's zero value) when a message leaves the field out, as Kafka's
   * generated messages do, so handlers need not know every newer field.
   */
  default?: unknown;
}

export interface MessageSchema {
  name: string;
  apiKey: number;
  /** Inclusive version range implemented by this table. */
  versions: [number, number];
  /** First flexible version, or null if none is implemented. */
  flexibleFrom: number | null;
  request: Field[];
  response: Field[];
}

type Decode = (r: Reader) => unknown;
type Encode = (w: Writer, v: unknown) => void;

const inRange = (version: number, range: [number, number?] | undefined, whenAbsent: boolean): boolean =>
  range === undefined ? whenAbsent : version >= range[0] && version <= (range[1] ?? Number.MAX_SAFE_INTEGER);

function defaultFor(f: Field): unknown {
  if (f.default !== undefined) return f.default;
  if (typeof f.type === "object") return [];
  // A field that may be null where it exists is null where it does not.
  if (f.nullable !== undefined && (f.type === "string" || f.type === "bytes")) return null;
  switch (f.type) {
    case "string":
      return "";
    case "bytes":
      return Buffer.alloc(0);
    case "records":
      return null;
    case "bool":
      return false;
    case "uuid":
      return "00000000000000000000000000000000";
    default:
      return 0;
  }
}

function primitiveDecoder(t: Primitive, flexible: boolean, nullable: boolean): Decode {
  switch (t) {
    case "int8":
      return (r) => r.int8();
    case "int16":
      return (r) => r.int16();
    case "int32":
      return (r) => r.int32();
    case "int64":
      return (r) => r.int64();
    case "uint32":
      return (r) => r.uint32();
    case "bool":
      return (r) => r.bool();
    case "uuid":
      return (r) => r.uuid();
    case "float64":
      return (r) => r.float64();
    case "string":
      if (flexible) return nullable ? (r) => r.compactNString() : (r) => r.compactString();
      return nullable ? (r) => r.nstring() : (r) => r.string();
    case "bytes":
      if (flexible) return nullable ? (r) => r.compactNBytes() : (r) => r.compactBytes();
      return nullable ? (r) => r.nbytes() : (r) => r.bytes();
    case "records":
      return flexible ? (r) => r.compactNBytes() : (r) => r.nbytes();
  }
}

function primitiveEncoder(t: Primitive, flexible: boolean, name: string): Encode {
  switch (t) {
    case "int8":
      return (w, v) => w.int8(v as number);
    case "int16":
      return (w, v) => w.int16(v as number);
    case "int32":
      return (w, v) => w.int32(v as number);
    case "int64":
      return (w, v) => w.int64(v as number);
    case "uint32":
      return (w, v) => w.uint32(v as number);
    case "bool":
      return (w, v) => w.bool(v as boolean);
    case "uuid":
      return (w, v) => w.uuid(v as string);
    case "float64":
      return (w, v) => w.float64(v as number);
    case "string":
      return flexible
        ? (w, v) => w.compactNString((v ?? null) as string | null)
        : (w, v) => w.nstring((v ?? null) as string | null);
    case "bytes":
    case "records":
      return flexible
        ? (w, v) => w.compactNBytes((v ?? null) as Buffer | null)
        : (w, v) => w.nbytes((v ?? null) as Buffer | null);
    default:
      throw new Error(`no encoder for ${name}`);
  }
}

export interface CompiledStruct {
  decode: (r: Reader) => Record<string, unknown>;
  encode: (w: Writer, v: Record<string, unknown>) => void;
}

/** Builds the codec of one struct for one version. */
export function compileStruct(fields: Field[], version: number, flexible: boolean): CompiledStruct {
  const present = fields.filter((f) => inRange(version, f.versions, true));
  const absent = fields.filter((f) => !inRange(version, f.versions, true));
  const decoders: Array<[string, Decode]> = [];
  const encoders: Array<[string, Encode, unknown]> = [];
  for (const f of present) {
    const nullable = inRange(version, f.nullable, false);
    if (typeof f.type === "object") {
      const elem = f.type.array;
      let de: Decode;
      let en: Encode;
      if (typeof elem === "string") {
        de = primitiveDecoder(elem, flexible, false);
        en = primitiveEncoder(elem, flexible, f.name);
      } else {
        const inner = compileStruct(elem, version, flexible);
        de = inner.decode;
        en = inner.encode as Encode;
      }
      decoders.push([
        f.name,
        (r) => {
          const n = r.arrayLength(flexible);
          if (n < 0) {
            if (!nullable) throw new ProtocolDecodeError(`null array in non-nullable field ${f.name}`);
            return null;
          }
          const out = new Array<unknown>(n);
          for (let i = 0; i < n; i++) out[i] = de(r);
          return out;
        },
      ]);
      encoders.push([
        f.name,
        (w, v) => {
          if (v === null || v === undefined) {
            if (flexible) w.uvarint(0);
            else w.int32(-1);
            return;
          }
          const arr = v as unknown[];
          if (flexible) w.uvarint(arr.length + 1);
          else w.int32(arr.length);
          for (const x of arr) en(w, x);
        },
        defaultFor(f),
      ]);
    } else {
      decoders.push([f.name, primitiveDecoder(f.type, flexible, nullable)]);
      encoders.push([f.name, primitiveEncoder(f.type, flexible, f.name), defaultFor(f)]);
    }
  }
  const defaults = absent.map((f) => [f.name, defaultFor(f)] as const);
  return {
    decode(r) {
      const o: Record<string, unknown> = {};
      for (const [name, d] of decoders) o[name] = d(r);
      for (const [name, v] of defaults) o[name] = Array.isArray(v) ? [] : v;
      if (flexible) r.skipTaggedFields();
      return o;
    },
    encode(w, v) {
      for (const [name, e, d] of encoders) {
        const x = v[name];
        e(w, x === undefined ? d : x);
      }
      if (flexible) w.uvarint(0);
    },
  };
}

export interface CompiledMessage {
  request: CompiledStruct;
  response: CompiledStruct;
  flexible: boolean;
}

const cache = new WeakMap<MessageSchema, Map<number, CompiledMessage>>();

/** The codec for one version of an API (compiled once, then cached). */
export function compile(schema: MessageSchema, version: number): CompiledMessage {
  let byVersion = cache.get(schema);
  if (!byVersion) {
    byVersion = new Map();
    cache.set(schema, byVersion);
  }
  let c = byVersion.get(version);
  if (!c) {
    if (version < schema.versions[0] || version > schema.versions[1]) {
      throw new Error(`${schema.name} v${version} is not implemented`);
    }
    const flexible = schema.flexibleFrom !== null && version >= schema.flexibleFrom;
    c = {
      flexible,
      request: compileStruct(schema.request, version, flexible),
      response: compileStruct(schema.response, version, flexible),
    };
    byVersion.set(version, c);
  }
  return c;
}
