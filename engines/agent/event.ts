/**
 * The unit that flows through an agent: Flume's JSON event, `{headers: {k: v}, body: "text"}`.
 * The HTTP source accepts a JSON array of these, the HTTP sink posts the same shape, so one agent's
 * sink can feed the next agent's source (multi-hop) without any translation.
 */

export interface AgentEvent {
  headers: Record<string, string>;
  body: string;
}

/**
 * Checks that a parsed JSON value is an array of events and returns them as plain
 * `{headers, body}` objects (other fields are dropped and a missing `headers` becomes `{}`, as
 * Flume's JSONHandler does), or a message naming the first problem.
 */
export function asEvents(value: unknown): AgentEvent[] | string {
  if (!Array.isArray(value)) return "request body must be a JSON array of events";
  const out: AgentEvent[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const e = value[i] as { headers?: unknown; body?: unknown } | null;
    if (typeof e !== "object" || e === null || Array.isArray(e)) return `event ${i} is not an object`;
    const body = e.body;
    if (typeof body !== "string") return `event ${i}: body must be a string`;
    const h = e.headers;
    if (h === undefined || h === null) {
      out[i] = { headers: {}, body };
      continue;
    }
    if (typeof h !== "object" || Array.isArray(h)) return `event ${i}: headers must be an object`;
    for (const k in h) {
      if (typeof (h as Record<string, unknown>)[k] !== "string") {
        return `event ${i}: header ${JSON.stringify(k)} must be a string`;
      }
    }
    out[i] = { headers: h as Record<string, string>, body };
  }
  return out;
}
