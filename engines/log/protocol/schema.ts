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

/** The Reader method that decodes a primitive (in the version's flexibility and nullability). */
function readerMethod(t: Primitive, flexible: boolean, nullable: boolean): string {
  switch (t) {
    case "string":
      if (flexible) return nullable ? "compactNString" : "compactString";
      return nullable ? "nstring" : "string";
    case "bytes":
      if (flexible) return nullable ? "compactNBytes" : "compactBytes";
      return nullable ? "nbytes" : "bytes";
    case "records":
      return flexible ? "compactNBytes" : "nbytes";
    default:
      return t;
  }
}

/** The Writer call that encodes a primitive `x` (strings and bytes write null for a missing value). */
function writerCall(t: Primitive, flexible: boolean, x: string): string {
  switch (t) {
    case "string":
      return flexible ? `w.compactNString(${x} ?? null)` : `w.nstring(${x} ?? null)`;
    case "bytes":
    case "records":
      return flexible ? `w.compactNBytes(${x} ?? null)` : `w.nbytes(${x} ?? null)`;
    default:
      return `w.${t}(${x})`;
  }
}

export interface CompiledStruct {
  decode: (r: Reader) => Record<string, unknown>;
  encode: (w: Writer, v: Record<string, unknown>) => void;
}

/**
 * Builds the codec of one struct for one version. The decoder and encoder are generated as source
 * text from the field table (names come from the schemas in apis/, never from input): each decoder
 * builds its message as one object literal, so every decoded message of a struct has one hidden
 * class and the handlers reading it stay monomorphic, and each encoder reads named properties of
 * one struct only. A generic loop storing `o[name]` for every API shared one megamorphic store
 * and load site across all messages, a cost paid on every field of every request and response.
 */
export function compileStruct(fields: Field[], version: number, flexible: boolean): CompiledStruct {
  /** Values the generated code refers to: nested codecs, defaults, the error class. */
  const refs: unknown[] = [ProtocolDecodeError];
  const ref = (v: unknown) => {
    refs.push(v);
    return `R[${refs.length - 1}]`;
  };
  const decodeProps: string[] = [];
  const absentProps: string[] = [];
  const encodeStmts: string[] = [];
  for (const f of fields) {
    const key = JSON.stringify(f.name);
    if (!inRange(version, f.versions, true)) {
      // Absent in this version: the default, a fresh array for array fields.
      const d = defaultFor(f);
      absentProps.push(`${key}: ${Array.isArray(d) ? "[]" : ref(d)}`);
      continue;
    }
    const nullable = inRange(version, f.nullable, false);
    const dflt = ref(defaultFor(f));
    const x = `(v[${key}] === undefined ? ${dflt} : v[${key}])`;
    if (typeof f.type === "object") {
      const elem = f.type.array;
      let readElem: string;
      let writeElem: string;
      if (typeof elem === "string") {
        readElem = `r.${readerMethod(elem, flexible, false)}()`;
        writeElem = writerCall(elem, flexible, "a[i]");
      } else {
        const inner = compileStruct(elem, version, flexible);
        const c = ref(inner);
        readElem = `${c}.decode(r)`;
        writeElem = `${c}.encode(w, a[i])`;
      }
      const readArray = new Function(
        "R",
        `return function readArray(r) {
          const n = r.arrayLength(${flexible});
          if (n < 0) {
            if (${!nullable}) throw new R[0](${JSON.stringify(`null array in non-nullable field ${f.name}`)});
            return null;
          }
          const out = new Array(n);
          for (let i = 0; i < n; i++) out[i] = ${readElem};
          return out;
        };`,
      )(refs);
      decodeProps.push(`${key}: ${ref(readArray)}(r)`);
      encodeStmts.push(`{
        const a = ${x};
        if (a === null || a === undefined) ${flexible ? "w.uvarint(0)" : "w.int32(-1)"};
        else {
          ${flexible ? "w.uvarint(a.length + 1)" : "w.int32(a.length)"};
          for (let i = 0; i < a.length; i++) ${writeElem};
        }
      }`);
    } else {
      decodeProps.push(`${key}: r.${readerMethod(f.type, flexible, nullable)}()`);
      encodeStmts.push(`${writerCall(f.type, flexible, x)};`);
    }
  }
  // Object literal properties are evaluated in order: the order of the fields on the wire (the
  // fields a version lacks come last, with their defaults).
  return new Function(
    "R",
    `return {
      decode(r) {
        const o = { ${[...decodeProps, ...absentProps].join(", ")} };
        ${flexible ? "r.skipTaggedFields();" : ""}
        return o;
      },
      encode(w, v) {
        ${encodeStmts.join("\n")}
        ${flexible ? "w.uvarint(0);" : ""}
      },
    };`,
  )(refs) as CompiledStruct;
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
