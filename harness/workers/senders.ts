/**
 * The producers a load worker sends with: the scenario's target builds a client of its own kind
 * from the endpoint the harness's client exposes (kafkajs producers for Kafka-protocol targets, an
 * HTTP pool for Flume-HTTP ones), with the same settings as in the harness process.
 */

import { FaultbenchError } from "../errors.ts";
import type { PlannedMessage } from "../generator/schedule.ts";
import type { Scenario } from "../scenario/load.ts";
import { targetFor } from "../targets/registry.ts";
import type { SendOutcome } from "../targets/target.ts";

export interface Sender {
  send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome>;
  /** The client's own split of a batch into requests (one per partition for Kafka clients). */
  split?(producer: number, batch: readonly PlannedMessage[]): PlannedMessage[][];
  close(): Promise<void>;
}

/** `producers` is how many producers this worker owns (it sizes the connection pool). */
export async function connectSender(
  scenario: Scenario,
  endpoint: unknown,
  producers: number,
): Promise<Sender> {
  const def = targetFor(scenario.engine);
  if (!def?.remoteClient)
    throw new FaultbenchError("FB_USAGE", `the ${scenario.engine} target cannot send from load workers`);
  const client = await def.remoteClient(scenario, endpoint, producers);
  await client.start();
  const split = client.split?.bind(client);
  return { send: (p, b) => client.send(p, b), ...(split ? { split } : {}), close: () => client.close() };
}
