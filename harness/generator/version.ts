/**
 * The generator's version, recorded in each history's start op. Intended send times are not in the
 * history (they follow from the scenario and the seed), so a run recorded by a generator that plans
 * differently would re-check with different latencies; `faultbench check` compares this number and
 * says so. Bump it whenever the schedule (rate curve, arrivals, producer assignment) changes.
 */
export const GENERATOR_VERSION = 1;
