/**
 * Incidents: faults whose windows overlap (or touch) form one incident, the union of their windows.
 * A figure that cannot be split between overlapping faults is reported once, for the incident.
 */

export interface FaultWindow {
  name: string;
  startUs: number;
  endUs: number;
}

export interface IncidentGroup {
  /** Fault names, in start order. */
  faults: string[];
  startUs: number;
  endUs: number;
}

/** Groups the windows into incidents, in time order. */
export function groupIncidents(windows: readonly FaultWindow[]): IncidentGroup[] {
  const sorted = [...windows].sort((a, b) => a.startUs - b.startUs || a.endUs - b.endUs);
  const out: IncidentGroup[] = [];
  for (const w of sorted) {
    const cur = out[out.length - 1];
    if (cur && w.startUs <= cur.endUs) {
      cur.faults.push(w.name);
      cur.endUs = Math.max(cur.endUs, w.endUs);
    } else {
      out.push({ faults: [w.name], startUs: w.startUs, endUs: w.endUs });
    }
  }
  return out;
}

/** For each fault, the other faults whose windows intersect its own. */
export function overlaps(windows: readonly FaultWindow[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of windows) {
    out.set(
      a.name,
      windows.filter((b) => b !== a && b.startUs <= a.endUs && a.startUs <= b.endUs).map((b) => b.name),
    );
  }
  return out;
}
