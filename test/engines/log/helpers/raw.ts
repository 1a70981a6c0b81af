/** A connected raw client against an in-process broker, for handler-level tests. */
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { inProcessBroker } from "./broker.ts";
import { defer, tempDir } from "./tmp.ts";

type After = { after: (fn: () => unknown) => void };

export async function rawBroker(t: After, config: Record<string, string> = {}) {
  const dir = tempDir(t);
  const broker = await inProcessBroker(t, dir, config);
  const client = await RawClient.connect(broker.port);
  defer(t, () => client.close());
  const call = (apiKey: number, apiVersion: number, body: Record<string, unknown>) =>
    // biome-ignore lint/suspicious/noExplicitAny: responses are inspected field by field in tests
    client.request(apiKey, apiVersion, body) as Promise<any>;
  return { broker, client, call, dir };
}

export const createTopicsBody = (
  topics: Array<{
    name: string;
    numPartitions?: number;
    replicationFactor?: number;
    configs?: Record<string, string>;
  }>,
  validateOnly = false,
) => ({
  topics: topics.map((t) => ({
    name: t.name,
    numPartitions: t.numPartitions ?? 1,
    replicationFactor: t.replicationFactor ?? 1,
    assignments: [],
    configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
  })),
  timeoutMs: 1000,
  validateOnly,
});
