/** sweep.json: every design point of a sweep with its figures. */

import type { SweepValue } from "./grid.ts";

export interface SweepPoint {
  /** The scenario this point varies (its name). */
  scenario: string;
  engine: string;
  /** The values set at this point, by scenario path. */
  values: Record<string, SweepValue>;
  /** Scenario name and the values other than the rate: the curve this point belongs to. */
  design: string;
  /** Relative to the sweep directory: the run directory, or the capacity directory with --capacity. */
  dir: string;
  status: string;
  offeredPerSec: number;
  ackedPerSec: number;
  endToEndP50: number;
  endToEndP99: number;
  lost: number;
  harnessBound: boolean;
  /** Every SLO held (and the engine kept up) at this point. */
  sloHeld: boolean;
  /** With --capacity: the highest rate under the SLOs at this design point, and how the search ended. */
  maxRate?: number | null;
  searchEnd?: string;
  /** With --capacity: the lowest load that broke the SLOs (the bracket's upper end), if any. */
  brokeAt?: number | null;
  /** With --capacity: the busiest the whole machine was in any step of the search, 0..100. */
  machineBusyMaxPct?: number | null;
}

export interface SweepResult {
  schemaVersion: 1;
  kind: "sweep";
  startedAt: string;
  scenarios: string[];
  dimensions: { path: string; values: SweepValue[] }[];
  mode: "grid" | "list";
  capacity: boolean;
  slos: string[];
  points: SweepPoint[];
}
