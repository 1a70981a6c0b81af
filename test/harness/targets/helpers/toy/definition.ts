// A toy target, the whole of it in this one folder: an in-memory queue that acks on arrival and
// hands its contents to the sink every `flushEvery`. kill drops what it holds (acked and lost),
// pause holds deliveries, restart brings it back empty. It exists to prove that a target plugs in
// through the registry alone.
import type { z } from "zod";
import type { PlannedMessage } from "../../../../../harness/generator/schedule.ts";
import { duration, obj } from "../../../../../harness/scenario/schema.ts";
import type {
  Client,
  DeliverySink,
  SendOutcome,
  Target,
  TargetDefinition,
  TargetNode,
} from "../../../../../harness/targets/target.ts";

export const toyTopologySchema = obj({ flushEvery: duration.default(20) });
export type ToyTopology = z.output<typeof toyTopologySchema>;

/** What the toy knows it lost, to hold the harness's accounting against. */
export const toyLedger = { dropped: 0, kills: 0 };

class ToyNode implements TargetNode {
  readonly name = "toy-1";
  up = true;
  paused = false;
  queue: [number, number, number][] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: DeliverySink,
    private readonly flushEvery: number,
  ) {}

  run(): void {
    this.timer = setInterval(() => this.flush(), this.flushEvery);
  }

  private flush(): void {
    if (!this.up || this.paused) return;
    for (const [p, from, to] of this.queue.splice(0)) this.sink.delivered("toy-reader", "sink", p, from, to);
  }

  async kill() {
    this.up = false;
    toyLedger.kills++;
    for (const [, from, to] of this.queue.splice(0)) toyLedger.dropped += to - from + 1;
  }
  async pause() {
    this.paused = true;
  }
  async resume() {
    this.paused = false;
  }
  async stop() {
    this.flush();
    this.up = false;
  }
  async start() {
    this.up = true;
  }
  close(): void {
    clearInterval(this.timer);
  }
}

export const toyTarget: TargetDefinition<ToyTopology> = {
  engine: "toy",
  summary: "an in-memory queue (test only)",
  topology: toyTopologySchema,
  facts: () => ({
    nodes: [{ name: "toy-1", role: "server", faults: ["kill", "pause", "restart"] }],
    endpoints: ["producers", "toy-1"],
    links: [],
    consumers: ["sink"],
    ordered: false,
    durability: "in memory",
  }),
  async create(ctx) {
    const node = new ToyNode(ctx.sink, ctx.scenario.topology.flushEvery);
    const target: Target = {
      start: async () => node.run(),
      node: (name) => (name === node.name ? node : undefined),
      network: () => undefined,
      close: async () => node.close(),
    };
    const client: Client = {
      start: async () => {},
      async send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome> {
        if (!node.up) return { type: "fail", error: "toy is down" };
        const first = batch[0] as PlannedMessage;
        node.queue.push([producer, first.seq, first.seq + batch.length - 1]);
        return { type: "ok" };
      },
      close: async () => {},
    };
    return { target, client };
  },
  report: { backlogTitle: "Toy queue" },
};
