/**
 * The one list of targets, by `engine:` name. A new target is a folder under harness/targets/
 * exporting a TargetDefinition, plus one line here; scenario loading, the run, analysis and
 * reports find it through `targetFor` and need no other edit.
 */

import { FaultbenchError } from "../errors.ts";
import { agentTarget } from "./agent/definition.ts";
import { flumeTarget } from "./flume/definition.ts";
import { kafkaTarget } from "./kafka/definition.ts";
import { logTarget } from "./log/definition.ts";
import { natsTarget } from "./nats/definition.ts";
import { redisTarget } from "./redis/definition.ts";
import type { TargetDefinition } from "./target.ts";

// biome-ignore lint/suspicious/noExplicitAny: each definition has its own topology type
type AnyTarget = TargetDefinition<any>;

const targets = new Map<string, AnyTarget>();

/** Adds a target; a second one with the same name is a programming error. */
export function registerTarget(def: AnyTarget): void {
  if (targets.has(def.engine))
    throw new FaultbenchError("FB_INTERNAL", `two targets are registered as "${def.engine}"`);
  targets.set(def.engine, def);
}

/** Removes a target (tests that register a toy one). */
export function unregisterTarget(engine: string): void {
  targets.delete(engine);
}

for (const def of [logTarget, agentTarget, kafkaTarget, flumeTarget, redisTarget, natsTarget])
  registerTarget(def);

export function targetFor(engine: string): AnyTarget | undefined {
  return targets.get(engine);
}

/** The registered engine names, in registration order. */
export function engineNames(): string[] {
  return [...targets.keys()];
}
