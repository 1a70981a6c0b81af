/**
 * Which faults could have moved a partition's leadership, and so truncated what consumers had
 * read: those that touch the cluster's own machinery — a kill, pause, restart or power loss of a
 * server (a broker or a controller), or a partition or toxic that cuts a link between two
 * servers. A consumer's pause or a client link's toxic delays reads; it cannot make a later
 * leader epoch re-use an offset, so it is never charged with one.
 */

import { linksBetween } from "../network/links.ts";
import type { NamedFault } from "../scenario/scenario.ts";
import type { TopologyFacts } from "../targets/target.ts";

export function leadershipFaults(faults: readonly NamedFault[], facts: TopologyFacts): Set<string> {
  const servers = new Set(facts.nodes.filter((n) => n.role === "server").map((n) => n.name));
  const serverLink = (l: { from: string; to: string }) => servers.has(l.from) && servers.has(l.to);
  const out = new Set<string>();
  for (const f of faults) {
    const spec = f as { kind: string; node?: string; link?: string; groups?: string[][] };
    const can =
      spec.groups !== undefined
        ? linksBetween(facts.links, spec.groups).some(serverLink)
        : spec.link !== undefined
          ? facts.links.some((l) => l.name === spec.link && serverLink(l))
          : spec.node !== undefined && servers.has(spec.node);
    if (can) out.add(f.name);
  }
  return out;
}
