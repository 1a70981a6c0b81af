/**
 * nats-server configuration for one node: loopback only, its own port, JetStream with its store in
 * the node's data directory of the run, and no HTTP monitoring port. The server logs to stderr,
 * where the supervisor finds "Server is ready" (printed after JetStream has recovered its streams).
 */

export interface NatsNodeConfig {
  name: string;
  port: number;
  dataDir: string;
}

export const natsReadyLine = /Server is ready/;

export function natsConf(c: NatsNodeConfig): string {
  return [
    `server_name: ${JSON.stringify(c.name)}`,
    `listen: "127.0.0.1:${c.port}"`,
    "jetstream {",
    `  store_dir: ${JSON.stringify(c.dataDir)}`,
    "  max_memory_store: 536870912",
    "  max_file_store: 2147483648",
    "}",
    "",
  ].join("\n");
}
