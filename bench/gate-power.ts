/**
 * How small a regression can the gate catch on this machine? (`npm run bench:gate -- <repeat-set>`)
 * Takes the repeats of a real repeat set (`faultbench run … --repeat N`) as the machine's noise and,
 * for each scenario and gated performance figure, simulates gates of R repeats a side (default 5):
 * both sides resampled from the measured repeats, the candidate's values made worse by a factor,
 * judged exactly as `compare` judges (threshold widened by the baseline sample's robust CV,
 * Mann–Whitney p < 0.05). Prints the false-alarm rate with no change and the smallest planted
 * change caught in ≥ 90% of trials. Seeded, so the same set prints the same figures.
 *
 * Options: --repeats R (5), --trials N (400), --seed S (1).
 */

import { loadSampleSet } from "../harness/baseline/sample-set.ts";
import { judgeFigure } from "../harness/compare/compare.ts";
import { figureValue, gatedFigures } from "../harness/compare/figures.ts";
import { thresholdFor } from "../harness/compare/thresholds.ts";
import { seededRandom } from "../harness/generator/random.ts";
import { robustCv } from "../harness/stats/summary.ts";
import { parseBenchArgs } from "./args.ts";

const { values, positionals } = parseBenchArgs(
  {
    allowPositionals: true,
    options: {
      repeats: { type: "string", default: "5" },
      trials: { type: "string", default: "400" },
      seed: { type: "string", default: "1" },
    },
  },
  import.meta.filename,
);
const dir = positionals[0];
if (!dir) {
  process.stderr.write("usage: npm run bench:gate -- <repeat-set-dir> [--repeats 5] [--trials 400]\n");
  process.exit(2);
}
const R = Number(values.repeats);
const trials = Number(values.trials);
const random = seededRandom(Number(values.seed));
const FACTORS = [0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];

const set = loadSampleSet(dir);
process.stdout.write(`noise from ${dir}; gates of ${R} vs ${R} repeats, ${trials} trials per step\n\n`);
process.stdout.write(
  `${"scenario".padEnd(12)} ${"figure".padEnd(34)} ${"n".padStart(3)} ${"rob.CV".padStart(7)} ${"false alarms".padStart(12)} ${"caught ≥90% from".padStart(17)}\n`,
);
for (const [name, runs] of set.scenarios) {
  const results = runs.map((r) => r.results).filter((r) => r.status !== "errored");
  for (const spec of gatedFigures(results)) {
    if (spec.kind !== "performance") continue;
    const measured = results
      .map((r) => figureValue(r, spec.path))
      .filter((v): v is number => typeof v === "number");
    if (measured.length < 3 || measured.every((v) => v === 0)) continue;
    const draw = () =>
      Array.from({ length: R }, () => measured[Math.floor(random() * measured.length)] as number);
    const rate = (factor: number) => {
      let caught = 0;
      for (let t = 0; t < trials; t++) {
        const base = draw();
        // Worse by `factor`: latencies grow by it; throughput shrinks by it (a factor of 1 halves it).
        const cand = draw().map((v) => (spec.better === "lower" ? v * (1 + factor) : v / (1 + factor)));
        const threshold = thresholdFor(spec.path, spec.better, spec.threshold, undefined, robustCv(base));
        const j = judgeFigure(name, spec, base, cand, threshold, robustCv(base), 0.05);
        if (j.verdict === "regression") caught++;
      }
      return caught / trials;
    };
    const falseAlarms = rate(0);
    const smallest = FACTORS.slice(1).find((f) => rate(f) >= 0.9);
    const label = (f: number | undefined) =>
      f === undefined
        ? "> ×11"
        : spec.better === "lower"
          ? `+${Math.round(f * 100)}%`
          : `−${Math.round((1 - 1 / (1 + f)) * 100)}%`;
    process.stdout.write(
      `${name.padEnd(12)} ${spec.path.padEnd(34)} ${String(measured.length).padStart(3)} ${`${((robustCv(measured) ?? 0) * 100).toFixed(1)}%`.padStart(7)} ${`${(falseAlarms * 100).toFixed(1)}%`.padStart(12)} ${label(smallest).padStart(17)}\n`,
    );
  }
}
