/**
 * What a handler returns, and how it is written: JSON successes with `application/json`, errors
 * the way Go's http.Error writes them (text/plain, nosniff, body + "\n"), empty 204s.
 */
import type { ServerResponse } from "node:http";
import type { ApiError } from "./api-error.ts";

export interface Reply {
  status: number;
  body: string;
  contentType?: string;
  extraHeaders?: Record<string, string>;
}

export function jsonReply(status: number, value: unknown): Reply {
  return { status, body: JSON.stringify(value), contentType: "application/json" };
}

export function noContent(): Reply {
  return { status: 204, body: "" };
}

/** Go's http.Error(w, msg, code). */
export function plainError(status: number, message: string): Reply {
  return {
    status,
    body: `${message}\n`,
    contentType: "text/plain; charset=utf-8",
    extraHeaders: { "X-Content-Type-Options": "nosniff" },
  };
}

/** Toxiproxy's apiError: the JSON error object written through http.Error. */
export function errorReply(e: ApiError): Reply {
  return plainError(e.status, JSON.stringify(e));
}

export function send(res: ServerResponse, reply: Reply): void {
  if (reply.contentType !== undefined) res.setHeader("Content-Type", reply.contentType);
  for (const [k, v] of Object.entries(reply.extraHeaders ?? {})) res.setHeader(k, v);
  if (reply.status !== 204) res.setHeader("Content-Length", Buffer.byteLength(reply.body));
  res.writeHead(reply.status);
  res.end(reply.status === 204 ? undefined : reply.body);
}
