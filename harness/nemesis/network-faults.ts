/**
 * The nemesis for network faults, through the Toxiproxy API: `toxic` adds a toxic to one link
 * for a while; `down` disables a link (its listener closes and every connection is cut, so new
 * connections are refused); `partition` blackholes every link between two groups of nodes in both
 * directions (a `timeout` toxic with timeout 0: bytes vanish and connections hang, as with dropped
 * packets) and heals by removing those toxics. Faults may overlap; each step is an invoke and a
 * completion in the history.
 */

import { isFaultbenchError } from "../errors.ts";
import { type Link, linksBetween } from "../network/links.ts";
import type { ProxyClient } from "../network/proxy-client.ts";
import type { NamedFault } from "../scenario/scenario.ts";
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

/** The Toxiproxy API said no (4xx): nothing was changed. */
function refused(e: unknown): boolean {
  const status = isFaultbenchError(e) ? e.context.status : undefined;
  return typeof status === "number" && status >= 400 && status < 500;
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
        let addError: unknown;
        const added = await this.step(f, "toxic", () =>
          c.addToxic(f.link, toxic).catch((e: unknown) => {
            addError = e;
            throw e;
          }),
        );
        if (!added) {
          // A refusal (4xx) changed nothing, and the name may belong to another fault's toxic. Any
          // other failure may have come after the server applied it: take it out, quietly.
          if (!refused(addError)) await c.removeToxic(f.link, f.name).catch(() => undefined);
          return;
        }
        await this.sleepUntil(healAt(f.for));
        // Heal even when the run is stopping: a shared toxiproxy-server must not keep our toxics.
        await this.step(f, "untoxic", () => c.removeToxic(f.link, f.name));
        return;
      }
      case "down": {
        let disableError: unknown;
        const disabled = await this.step(f, "disable", () =>
          c.setEnabled(f.link, false).catch((e: unknown) => {
            disableError = e;
            throw e;
          }),
        );
        if (!disabled) {
          if (!refused(disableError)) await c.setEnabled(f.link, true).catch(() => undefined);
          return;
        }
        await this.sleepUntil(healAt(f.for));
        await this.step(f, "enable", () => c.setEnabled(f.link, true));
        return;
      }
      case "partition": {
        const cut = linksBetween(this.deps.links, f.groups);
        const names = (l: Link) => [`${f.name}:${l.name}:up`, `${f.name}:${l.name}:down`] as const;
        // Remember every toxic that went in, so a partition that failed halfway is still healed.
        const applied: [string, string][] = [];
        const ok = await this.step(f, "partition", async () => {
          for (const l of cut) {
            const [up, down] = names(l);
            for (const [name, stream] of [
              [up, "upstream"],
              [down, "downstream"],
            ] as const) {
              await c.addToxic(l.name, { name, type: "timeout", stream, attributes: { timeout: 0 } });
              applied.push([l.name, name]);
            }
          }
        });
        if (ok) await this.sleepUntil(healAt(f.for));
        if (applied.length === 0) return;
        await this.step(f, "heal", async () => {
          // Remove each one even if another removal fails; report the failures together.
          const results = await Promise.allSettled(applied.map(([link, name]) => c.removeToxic(link, name)));
          const failed = results.filter((r) => r.status === "rejected");
          if (failed.length > 0) {
            throw new AggregateError(
              failed.map((r) => (r as PromiseRejectedResult).reason),
              `${failed.length} of ${applied.length} toxics could not be removed`,
            );
          }
        });
        return;
      }
    }
  }
}
