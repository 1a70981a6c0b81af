/**
 * How an engine process tells its supervisor that it is ready: exactly one JSON line on stdout,
 * `{"faultbench":"ready","node":NAME,"pid":PID,"ports":{NAME:PORT,...}}`. Ports are the ones the
 * process actually bound, so a node may be configured with port 0. Everything else an engine
 * prints goes to stderr or is free-form, and the supervisor copies it to the node's log.
 */

export interface ReadySignal {
  faultbench: "ready";
  node: string;
  pid: number;
  ports: Record<string, number>;
}

export function formatReady(node: string, ports: Record<string, number>): string {
  const signal: ReadySignal = { faultbench: "ready", node, pid: process.pid, ports };
  return JSON.stringify(signal);
}

/** Prints the ready line on stdout. */
export function announceReady(node: string, ports: Record<string, number>): void {
  process.stdout.write(`${formatReady(node, ports)}\n`);
}

/** Parses one line of a child's stdout; returns the signal or undefined for any other line. */
export function parseReady(line: string): ReadySignal | undefined {
  if (!line.startsWith('{"faultbench":"ready"')) return undefined;
  try {
    const v = JSON.parse(line) as Partial<ReadySignal>;
    if (v.faultbench === "ready" && typeof v.node === "string" && typeof v.pid === "number" && v.ports) {
      return v as ReadySignal;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
