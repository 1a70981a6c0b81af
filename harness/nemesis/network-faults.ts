/**
 * The nemesis for network faults, through the Toxiproxy API: `toxic` adds a toxic to one link
 * for a while; `down` disables a link (its listener closes and every connection is cut, so new
 * connections are refused); `partition` blackholes every link between two groups of nodes in both
 * directions (a `timeout` toxic with timeout 0: bytes vanish and connections hang, as with dropped
 * packets) and heals by removing those toxics. Faults may overlap; each step is an invoke and a
 * completion in the history.
 */

import type { ProxyClient } from "../proxy/client.ts";
import type { NamedFault } from "../scenario/load.ts";
import { type Link, linksBetween } from "../topology/links.ts";
import { FaultTimeline, type TimelineDeps } from "./timeline.ts";

export type NetworkFault = Extract<NamedFault, { kind: "toxic" | "down" | "partition" }>;

export function isNetworkFault(f: NamedFault): f is NetworkFault {
  return f.kind === "toxic" || f.kind === "down" || f.kind === "partition";
}

export interface NetworkNemesisDeps extends TimelineDeps {
  client: ProxyClient;
  links: readonly Link[];
  /** When the load ends (µs): a toxic without `for` is removed then. */
  loadEndUs: number;
}

export class NetworkNemesis extends FaultTimeline<NetworkFault> {
  constructor(
    faults: readonly NetworkFault[],
    protected override readonly deps: NetworkNemesisDeps,
  ) {
    super(faults, deps);
  }

  protected async runFault(f: NetworkFault): Promise<void> {
    if (!(await this.sleepUntil(f.at * 1000))) return;
    const c = this.deps.client;
    const healAt = (ms: number | undefined) =>
      ms === undefined ? this.deps.loadEndUs : this.deps.now() + ms * 1000;
    switch (f.kind) {
      case "toxic": {
        const toxic = {
          name: f.name,
          type: f.type,
          stream: f.stream,
          toxicity: f.toxicity,
          attributes: f.attributes,
        };
        if (!(await this.step(f, "toxic", () => c.addToxic(f.link, toxic)))) return;
        await this.sleepUntil(healAt(f.for));
        // Heal even when the run is stopping: a shared toxiproxy-server must not keep our toxics.
        await this.step(f, "untoxic", () => c.removeToxic(f.link, f.name));
        return;
      }
      case "down": {
        if (!(await this.step(f, "disable", () => c.setEnabled(f.link, false)))) return;
        await this.sleepUntil(healAt(f.for));
        await this.step(f, "enable", () => c.setEnabled(f.link, true));
        return;
      }
      case "partition": {
        const cut = linksBetween(this.deps.links, f.groups);
        const names = (l: Link) => [`${f.name}:${l.name}:up`, `${f.name}:${l.name}:down`] as const;
        const ok = await this.step(f, "partition", async () => {
          for (const l of cut) {
            const [up, down] = names(l);
            await c.addToxic(l.name, {
              name: up,
              type: "timeout",
              stream: "upstream",
              attributes: { timeout: 0 },
            });
            await c.addToxic(l.name, {
              name: down,
              type: "timeout",
              stream: "downstream",
              attributes: { timeout: 0 },
            });
          }
        });
        if (!ok) return;
        await this.sleepUntil(healAt(f.for));
        await this.step(f, "heal", async () => {
          for (const l of cut) for (const n of names(l)) await c.removeToxic(l.name, n);
        });
        return;
      }
    }
  }
}
