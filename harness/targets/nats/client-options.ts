/**
 * How every faultbench NATS client connects: to the fault proxy's port on loopback, reconnecting
 * forever and fast (a restarted server is found within ~100 ms), pinging every 2 s so a cut link
 * is noticed.
 */

export function natsClientOptions(port: number, name: string) {
  return {
    servers: `127.0.0.1:${port}`,
    name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    reconnectJitter: 0,
    timeout: 1000,
    pingInterval: 2000,
    maxPingOut: 2,
  };
}
