/**
 * Decoding request bodies the way Go's encoding/json does for Toxiproxy's structs: empty body is
 * `EOF`, fields of the wrong JSON type are errors, `null` leaves a field at its current value,
 * unknown keys are ignored. Messages follow Go's so error bodies read like the real server's.
 */
import { type ApiError, errBadRequestBody, joined } from "./api-error.ts";

/** Parses a body as JSON; empty → Go's "EOF", syntax errors → their message. */
export function parseBody(text: string): unknown {
  if (text.trim() === "") throw joined(errBadRequestBody(), "EOF");
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw joined(errBadRequestBody(), e instanceof Error ? e.message : String(e));
  }
}

export function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v === "object" ? "object" : typeof v;
}

function typeError(value: unknown, where: string, want: string): ApiError {
  return joined(
    errBadRequestBody(),
    `json: cannot unmarshal ${jsonKind(value)} into ${where} of type ${want}`,
  );
}

/** The body as an object of fields; `null` decodes to no fields (Go leaves the struct as is). */
export function asObject(v: unknown, where: string): Record<string, unknown> {
  if (v === null) return {};
  if (jsonKind(v) !== "object") throw typeError(v, `Go value`, where);
  return v as Record<string, unknown>;
}

export function optString(o: Record<string, unknown>, key: string, struct: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw typeError(v, `Go struct field ${struct}.${key}`, "string");
  return v;
}

export function optBool(o: Record<string, unknown>, key: string, struct: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw typeError(v, `Go struct field ${struct}.${key}`, "bool");
  return v;
}

export function optNumber(o: Record<string, unknown>, key: string, struct: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number") throw typeError(v, `Go struct field ${struct}.${key}`, "float32");
  return v;
}

/** An integer attribute (Go int/int64); fractions are rejected like Go rejects 1.5 for int64. */
export function optInteger(o: Record<string, unknown>, key: string, struct: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    const what = typeof v === "number" ? `number ${v}` : jsonKind(v);
    throw joined(
      errBadRequestBody(),
      `json: cannot unmarshal ${what} into Go struct field ${struct}.${key} of type int64`,
    );
  }
  return v;
}
