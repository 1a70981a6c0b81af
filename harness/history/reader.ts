/**
 * Reads history.ndjson back into ops. A torn last line (the writer died mid-line) is dropped; any
 * other line that is not an op is an FB_HISTORY_INVALID error naming the line.
 */

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { FaultbenchError } from "../errors.ts";
import type { Op } from "./op.ts";

export function parseOpLine(line: string, lineNo: number, file: string): Op {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (cause) {
    throw new FaultbenchError("FB_HISTORY_INVALID", `${file}:${lineNo}: not JSON`, {
      cause,
      context: { file },
    });
  }
  const o = v as Partial<Op>;
  if (
    typeof o !== "object" ||
    o === null ||
    typeof o.t !== "number" ||
    typeof o.f !== "string" ||
    typeof o.type !== "string"
  ) {
    throw new FaultbenchError(
      "FB_HISTORY_INVALID",
      `${file}:${lineNo}: not a history op (needs t, type, f)`,
      {
        context: { file },
      },
    );
  }
  return o as Op;
}

export async function readHistory(file: string): Promise<Op[]> {
  const ops: Op[] = [];
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  let pending: { line: string; no: number } | undefined;
  try {
    for await (const line of rl) {
      lineNo++;
      if (pending) ops.push(parseOpLine(pending.line, pending.no, file));
      pending = line.length > 0 ? { line, no: lineNo } : undefined;
    }
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") {
      throw new FaultbenchError("FB_RUN_DIR", `${file}: no history here`, { cause, context: { file } });
    }
    throw cause;
  }
  if (pending) {
    try {
      ops.push(parseOpLine(pending.line, pending.no, file));
    } catch {
      // The writer was killed mid-line: the last line is torn, everything before it is whole.
    }
  }
  return ops;
}
