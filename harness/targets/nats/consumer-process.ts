/**
 * A NATS JetStream consumer as its own OS process, so a scenario can kill -9 or pause it like any
 * node. It joins the queue group the durable push consumer delivers to, so the server hands each
 * message to one member; it reports what it received to the harness over IPC as id ranges, and
 * only then acknowledges each message. A message not
 * acknowledged within the consumer's ack_wait (its consumer died or stalled) is delivered again,
 * to any member: at-least-once duplicates.
 *
 * Run: node --import tsx harness/targets/nats/consumer-process.ts --name consumer-1 --port 4222
 */

import { parseArgs } from "node:util";
import { connect, type Msg } from "nats";
import { toJsMsg } from "nats/lib/jetstream/jsmsg.js";
import { serveProcess } from "../../../engines/shared/serve-process.ts";
import { idRuns, type RunsReport } from "../shared/id-runs.ts";
import { natsClientOptions } from "./client-options.ts";
import { deliverGroup, deliverSubject } from "./topology.ts";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { name: { type: "string" }, port: { type: "string" } } });
  if (!values.name || !values.port) {
    process.stderr.write("usage: consumer-process.ts --name N --port P\n");
    process.exit(2);
  }
  const name = values.name;
  const report = (m: RunsReport) =>
    new Promise<void>((resolve) => {
      if (!process.send) return resolve();
      process.send(m, undefined, undefined, () => resolve());
    });

  await serveProcess(name, async () => {
    const nc = await connect(natsClientOptions(Number(values.port), name));
    let pending: Msg[] = [];
    let chain = Promise.resolve();
    // Messages arriving in one turn of the event loop are reported together, then acknowledged.
    const flush = async () => {
      const batch = pending;
      pending = [];
      const bodies: string[] = [];
      const acks: (() => void)[] = [];
      for (const m of batch) {
        if (!m.reply) continue; // not a JetStream delivery
        const jm = toJsMsg(m);
        bodies.push(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString("latin1"));
        acks.push(() => jm.ack());
      }
      const r = idRuns(bodies);
      if (r.runs.length > 0 || r.unparsed > 0) await report(r);
      for (const ack of acks) ack();
    };
    nc.subscribe(deliverSubject, {
      queue: deliverGroup,
      callback: (err, m) => {
        if (err) return;
        pending.push(m);
        if (pending.length === 1) setImmediate(() => (chain = chain.then(flush, flush)));
      },
    });
    await nc.flush();
    return {
      ports: {},
      stop: async () => {
        await chain;
        await nc.close();
      },
    };
  });
}

if (process.argv[1]?.endsWith("nats/consumer-process.ts")) void main();
