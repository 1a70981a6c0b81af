/** capacity.json: one capacity search (or several with --repeat) over one scenario. */

import type { Check } from "../results/types.ts";
import type { NextStep, SearchEnd, SearchOptions, StepVerdict } from "./search.ts";

export interface CapacityStep {
  index: number;
  /** The load of this step: messages/s, or the trace's speed factor. */
  level: number;
  phase: Extract<NextStep, { kind: "run" }>["phase"];
  verdict: StepVerdict;
  /** The step's run directory, relative to the capacity directory. */
  runDir: string;
  /** When the step's run started (ISO time): interleaved searches' steps alternate. */
  startedAt: string;
  status: string;
  offeredPerSec: number;
  sentPerSec: number;
  ackedPerSec: number;
  deliveredPerSec: number;
  endToEndP50: number;
  endToEndP99: number;
  publishP99: number;
  lost: number;
  harnessBound: boolean;
  /** How busy the whole machine was in the measured window, 0..100 (other users' processes too). */
  machineBusyPct: number | null;
  /** Why the step was harness-bound (or why the run broke). */
  reasons: string[];
  checks: Check[];
}

export interface CapacitySearchResult {
  steps: CapacityStep[];
  end: SearchEnd;
  /** The highest good load, or null when no step was good. */
  answer: number | null;
  bracket: { good: number | null; bad: number | null };
  /** The answer in words, with the harness-bound caveat when it applies. */
  summary: string;
}

export interface CapacityResult {
  schemaVersion: 1;
  kind: "capacity";
  scenario: string;
  engine: string;
  startedAt: string;
  /** What the search turns: a flat rate (messages/s) or a trace's replay speed. */
  knob: "rate" | "speed";
  slos: string[];
  options: SearchOptions & {
    measuredMs: number;
    warmupMs: number;
    repeat: number;
    /** Older capacity.json files have no order: their searches ran one after another. */
    order?: "interleaved" | "sequential";
  };
  searches: CapacitySearchResult[];
  /** Over the repeated searches' answers. */
  spread: { min: number; median: number; max: number; spreadPct: number } | null;
  /** The best step's figures of the first search (the answer's run). */
  answerStep: CapacityStep | null;
}
