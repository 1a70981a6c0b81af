/**
 * Request and response headers, and the whole-message codec built on them.
 *
 * Request Header v1 => api_key INT16 api_version INT16 correlation_id INT32 client_id NULLABLE_STRING
 * Request Header v2 => Request Header v1 TAG_BUFFER          (flexible versions; client_id stays int16-length)
 * Response Header v0 => correlation_id INT32
 * Response Header v1 => correlation_id INT32 TAG_BUFFER      (flexible versions, except ApiVersions: always v0)
 *
 * A frame is `size INT32` followed by the header and body; the size prefix is handled by framing.
 */

import { ProtocolDecodeError, Reader } from "./reader.ts";
import { ApiKey, isSupported, schemaFor } from "./registry.ts";
import { compile } from "./schema.ts";
import { Writer } from "./writer.ts";

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Thrown for a well-formed header naming an API key or version the broker does not implement. */
export class UnsupportedApiError extends Error {
  override name = "UnsupportedApiError";
  readonly header: RequestHeader;
  constructor(header: RequestHeader) {
    super(`unsupported api key ${header.apiKey} version ${header.apiVersion}`);
    this.header = header;
  }
}

/** Decodes the fixed part of the request header (enough to answer even an unsupported request). */
export function decodeHeaderPrefix(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nstring();
  return { apiKey, apiVersion, correlationId, clientId };
}

export interface DecodedRequest {
  header: RequestHeader;
  body: Record<string, unknown>;
}

/** Decodes one frame payload (without the size prefix). Trailing bytes are tolerated, as Kafka does. */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const r = new Reader(frame);
  const header = decodeHeaderPrefix(r);
  if (!isSupported(header.apiKey, header.apiVersion)) throw new UnsupportedApiError(header);
  const schema = schemaFor(header.apiKey)!;
  const c = compile(schema, header.apiVersion);
  if (c.flexible) r.skipTaggedFields();
  const body = c.request.decode(r);
  return { header, body };
}

/** Encodes a request (used by tests, the benchmark's raw producer and the fuzzer). */
export function encodeRequest(header: RequestHeader, body: Record<string, unknown>): Buffer {
  const schema = schemaFor(header.apiKey);
  if (!schema) throw new UnsupportedApiError(header);
  const c = compile(schema, header.apiVersion);
  const w = new Writer(1024);
  const setSize = w.reserveInt32();
  w.int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId).nstring(header.clientId);
  if (c.flexible) w.uvarint(0);
  c.request.encode(w, body);
  const out = w.toBuffer();
  setSize(out.length - 4);
  out.writeInt32BE(out.length - 4, 0);
  return out;
}

/** Encodes a size-prefixed response as buffer chunks (record blobs are not copied). */
export function encodeResponse(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: Record<string, unknown>,
): Buffer[] {
  const schema = schemaFor(apiKey);
  if (!schema) throw new Error(`no schema for api key ${apiKey}`);
  const c = compile(schema, apiVersion);
  const w = new Writer(256);
  const setSize = w.reserveInt32();
  w.int32(correlationId);
  if (c.flexible && apiKey !== ApiKey.ApiVersions) w.uvarint(0);
  c.response.encode(w, body);
  setSize(w.length - 4);
  return w.chunksOut();
}

/** Decodes a response payload (tests and the raw producer use it). */
export function decodeResponse(
  apiKey: number,
  apiVersion: number,
  payload: Buffer,
): { correlationId: number; body: Record<string, unknown> } {
  const schema = schemaFor(apiKey);
  if (!schema) throw new ProtocolDecodeError(`no schema for api key ${apiKey}`);
  const c = compile(schema, apiVersion);
  const r = new Reader(payload);
  const correlationId = r.int32();
  if (c.flexible && apiKey !== ApiKey.ApiVersions) r.skipTaggedFields();
  return { correlationId, body: c.response.decode(r) };
}
