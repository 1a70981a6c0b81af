/** kafkajs clients tuned for tests: quiet, fast retries, short polls so disconnects are quick. */

import { type Consumer, Kafka, logLevel } from "kafkajs";

export function kafkaFor(port: number, clientId = "test"): Kafka {
  return new Kafka({
    clientId,
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 10 },
  });
}

export function testConsumer(kafka: Kafka, groupId: string, sessionTimeout = 6000): Consumer {
  return kafka.consumer({
    groupId,
    sessionTimeout,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 250,
    retry: { initialRetryTime: 100, retries: 20 },
  });
}

/** Polls `cond` every 50 ms until true or `ms` passes (then throws with `what`). */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
