/**
 * A load worker: its own OS process that sends one slice of the run's seeded schedule with the
 * same open-loop loop the harness uses, and streams its send ops back to the harness over IPC.
 * It connects its producers before announcing ready, then waits for `go`.
 *
 * Run (by the harness): node --import tsx harness/workers/load-worker.ts --name worker-1
 *   --scenario RUN_DIR/scenario.yaml --slice 1/2 --endpoint '{"brokers":[…]}' (the target client's endpoint)
 */

import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { serveProcess } from "../../engines/shared/serve-process.ts";
import { parseSlice, producersOf } from "../generator/slice.ts";
import type { SendOp } from "../history/op.ts";
import { LoadLoop } from "../run/load-loop.ts";
import { scenarioFromText } from "../scenario/load.ts";
import { type FromWorker, globalReq, type ToWorker } from "./protocol.ts";
import { connectSender } from "./senders.ts";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      name: { type: "string", default: "worker" },
      scenario: { type: "string" },
      slice: { type: "string" },
      endpoint: { type: "string" },
    },
  });
  const slice = parseSlice(values.slice ?? "");
  if (!values.scenario || !slice || !values.endpoint) {
    process.stderr.write("usage: load-worker.ts --name N --scenario FILE --slice i/n --endpoint JSON\n");
    process.exit(2);
  }
  const scenario = scenarioFromText(readFileSync(values.scenario, "utf8"), values.scenario);
  const endpoint: unknown = JSON.parse(values.endpoint);
  const own = producersOf(slice, scenario.workload.producers);
  const post = (m: FromWorker) => process.send?.(m);

  await serveProcess(values.name, async () => {
    const sender = await connectSender(scenario, endpoint, own.to - own.from);
    let base: { nowUs: number; at: number } | undefined;
    const now = () => (base ? Math.round(base.nowUs + (performance.now() - base.at) * 1000) : 0);
    let buffer: SendOp[] = [];
    let loop: LoadLoop | undefined;
    const flush = () => {
      if (!loop || buffer.length === 0) return;
      post({ type: "ops", ops: buffer, counters: { ...loop.counters } });
      buffer = [];
    };
    const flusher = setInterval(flush, 50);
    flusher.unref();
    let finished: Promise<void> | undefined;
    const finish = async () => {
      if (!loop) return;
      await loop.settled();
      flush();
      post({ type: "done", counters: { ...loop.counters } });
    };
    process.on("message", (m: ToWorker) => {
      if (m.type === "go" && !loop) {
        base = { nowUs: m.nowUs, at: performance.now() };
        loop = new LoadLoop(scenario, {
          client: sender,
          now,
          slice,
          record: (op) => buffer.push({ ...op, req: globalReq(op.req, slice.index, slice.count) }),
        });
        finished = loop.run().then(finish, (e: unknown) => {
          post({ type: "error", message: String(e) });
        });
      } else if (m.type === "stop") {
        void (loop ? loop.stop().then(() => finished) : Promise.resolve()).then(() => {
          if (!loop) post({ type: "done", counters: emptyCounters() });
        });
      }
    });
    return {
      ports: {},
      stop: async () => {
        clearInterval(flusher);
        await loop?.stop();
        flush();
        await sender.close();
      },
    };
  });
}

function emptyCounters() {
  return {
    offered: 0,
    sent: 0,
    acked: 0,
    failed: 0,
    indeterminate: 0,
    inFlight: 0,
    heldByInFlight: 0,
    lateTicks: 0,
  };
}

if (process.argv[1]?.endsWith("load-worker.ts")) void main();
