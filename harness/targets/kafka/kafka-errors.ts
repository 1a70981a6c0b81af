/**
 * What a kafkajs failure means for the history. A send that never left (the connection was
 * refused) or that the broker definitely rejected is `fail`; a timeout, a connection that closed
 * with the request outstanding, or a broker answer that says "written, but not as safely as asked"
 * is `info`, because the records may be in the log.
 */

import type { SendOutcome } from "../target.ts";

/** Broker error codes after which the records may still have been appended. */
const maybeWritten = new Set([
  "REQUEST_TIMED_OUT",
  "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
  "NETWORK_EXCEPTION",
  "UNKNOWN_SERVER_ERROR",
]);

interface KafkaLikeError {
  name?: string;
  type?: string;
  code?: string | number;
  message?: string;
  originalError?: unknown;
  cause?: unknown;
  retriable?: boolean;
}

/** The innermost error of a kafkajs retry wrapper. */
function root(err: unknown): KafkaLikeError {
  let e = err as KafkaLikeError;
  for (let i = 0; i < 5; i++) {
    const inner = (e?.originalError ?? e?.cause) as KafkaLikeError | undefined;
    if (!inner || typeof inner !== "object") break;
    e = inner;
  }
  return e ?? {};
}

export function classifyKafkaError(err: unknown): SendOutcome {
  const e = root(err);
  const name = e.name ?? "Error";
  const message = (e.message ?? String(err)).split("\n")[0] as string;
  const error = `${name}: ${message}`;
  if (name === "KafkaJSConnectionError" && /ECONNREFUSED|EADDRNOTAVAIL/.test(message))
    return { type: "fail", error };
  if (name === "KafkaJSProtocolError") {
    return maybeWritten.has(String(e.type)) ? { type: "info", error } : { type: "fail", error };
  }
  if (name === "KafkaJSNonRetriableError" && /ECONNREFUSED/.test(message)) return { type: "fail", error };
  // Timeouts, closed connections, anything else: the request may have been written.
  return { type: "info", error };
}
