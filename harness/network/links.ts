/**
 * The nodes and links of a scenario's topology. A link is one client→node or node→node
 * connection path, each carried by its own fault proxy, named `from->to` so a scenario can slow,
 * cut or reset it: `producers->a1`, `a1->a2`, `a2->collector` for an agent chain;
 * `clients->broker-1` for the log (producers and consumers reach the broker at the one address it
 * advertises). `producers` and `clients` are the harness's own load generators.
 */

import type { AgentTopology, LogTopology } from "../scenario/schema.ts";

export interface Link {
  name: string;
  from: string;
  to: string;
}

export interface TopologyShape {
  /** Nodes that node faults can target (processes). */
  processes: string[];
  /** Every node name, including collectors and the load generators' pseudo-node. */
  nodes: string[];
  links: Link[];
}

export const link = (from: string, to: string): Link => ({ name: `${from}->${to}`, from, to });

export function agentShape(t: AgentTopology & { entry: string }): TopologyShape {
  const agents = Object.keys(t.agents);
  const collectors = Object.keys(t.collectors);
  const links = [link("producers", t.entry)];
  for (const [a, spec] of Object.entries(t.agents))
    for (const target of spec.sinks) links.push(link(a, target));
  return { processes: agents, nodes: ["producers", ...agents, ...collectors], links };
}

export function brokerNames(t: LogTopology): string[] {
  return Array.from({ length: t.brokers }, (_, i) => `broker-${i + 1}`);
}

export function consumerNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `consumer-${i + 1}`);
}

export function logShape(t: LogTopology, consumers: number): TopologyShape {
  const brokers = brokerNames(t);
  const cons = consumerNames(consumers);
  return {
    processes: [...brokers, ...cons],
    nodes: ["clients", ...brokers, ...cons],
    links: brokers.map((b) => link("clients", b)),
  };
}

/** The links a partition cuts: those whose ends sit in two different groups. */
export function linksBetween(links: readonly Link[], groups: readonly (readonly string[])[]): Link[] {
  const groupOf = new Map<string, number>();
  groups.forEach((g, i) => {
    for (const n of g) groupOf.set(n, i);
  });
  return links.filter((l) => {
    const a = groupOf.get(l.from);
    const b = groupOf.get(l.to);
    return a !== undefined && b !== undefined && a !== b;
  });
}
