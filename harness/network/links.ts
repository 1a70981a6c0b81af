/**
 * The nodes and links of a scenario's topology. A link is one client→node or node→node
 * connection path, each carried by its own fault proxy, named `from->to` so a scenario can slow,
 * cut or reset it: `producers->a1`, `a1->a2`, `a2->collector` for an agent chain;
 * `clients->broker-1` for the log (producers and consumers reach the broker at the one address it
 * advertises). `producers` and `clients` are the harness's own load generators.
 */

export interface Link {
  name: string;
  from: string;
  to: string;
}

export const link = (from: string, to: string): Link => ({ name: `${from}->${to}`, from, to });

/** The consumer processes of a pull target, in one fault model across targets: `consumer-N`. */
export function consumerNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `consumer-${i + 1}`);
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
