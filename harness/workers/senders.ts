/**
 * The producers a load worker sends with, built from the endpoint the harness's driver exposes:
 * the log's producers (the same client and settings the in-process driver uses), an undici pool
 * for the agent's HTTP source.
 */

import { HttpProducer } from "../drivers/agent/http-producer.ts";
import type { ClientEndpoint, SendOutcome } from "../drivers/driver.ts";
import { logProducers } from "../drivers/log/log-producers.ts";
import type { PlannedMessage } from "../generator/schedule.ts";
import type { Scenario } from "../scenario/load.ts";

export interface Sender {
  send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome>;
  close(): Promise<void>;
}

/** `producers` is how many producers this worker owns (it sizes the connection pool). */
export async function connectSender(
  scenario: Scenario,
  endpoint: ClientEndpoint,
  producers: number,
): Promise<Sender> {
  const w = scenario.workload;
  if (endpoint.engine === "agent") {
    const http = new HttpProducer(
      endpoint.url,
      Math.min(1024, producers * w.maxInFlight),
      w.timeout,
      w.messageSize,
    );
    return { send: (p, b) => http.send(p, b), close: () => http.close() };
  }
  if (scenario.engine !== "log") throw new Error("a log endpoint for an agent scenario");
  const kp = logProducers(scenario, endpoint.brokers, "faultbench-worker");
  await kp.connect();
  return { send: (p, b) => kp.send(p, b), close: () => kp.close() };
}
