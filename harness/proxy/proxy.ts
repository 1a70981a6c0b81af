/**
 * One proxy: a TCP listener on `listen` that forwards each accepted client to `upstream` through
 * the proxy's toxics. Start/stop/update follow Toxiproxy's proxy.go: `listen` is replaced by the
 * address actually bound (so port 0 reports the ephemeral port), stopping closes the listener and
 * every open connection, and changing listen or upstream restarts the proxy.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { formatHostPort, type HostPort, isLoopbackHost, parseHostPort } from "./address.ts";
import { ApiError } from "./api/api-error.ts";
import { Connection } from "./connection.ts";
import { ToxicCollection } from "./toxic-collection.ts";
import { toxicJson } from "./toxics/spec.ts";

export interface ProxyPolicy {
  /** Allow listening on and forwarding to non-loopback addresses. Off by default. */
  allowRemote: boolean;
  random: () => number;
}

/** Rejects addresses off this machine unless the server was started with the remote opt-in. */
export function checkAddresses(listen: string, upstream: string, policy: ProxyPolicy): void {
  if (policy.allowRemote) return;
  const l = parseHostPort(listen);
  if (listen !== "" && l !== undefined && l.host !== "" && !isLoopbackHost(l.host)) {
    throw new ApiError(
      `listen address ${listen} is not loopback; start the proxy with --allow-remote to allow it`,
      403,
    );
  }
  const u = parseHostPort(upstream);
  if (u === undefined || !isLoopbackHost(u.host)) {
    throw new ApiError(
      `upstream ${upstream} is not a loopback address; start the proxy with --allow-remote to allow it`,
      403,
    );
  }
}

export class TcpProxy {
  enabled = false;
  readonly toxics: ToxicCollection;
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly dialing = new Set<Socket>();

  constructor(
    readonly name: string,
    public listen: string,
    public upstream: string,
    private readonly policy: ProxyPolicy,
  ) {
    this.toxics = new ToxicCollection(() => this.connections);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Binds the listener. Errors carry Go's wording, e.g. `listen tcp 127.0.0.1:1: bind: address already in use`. */
  async start(): Promise<void> {
    if (this.enabled) return;
    const where = this.bindAddress();
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => this.accept(c));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: where.host, port: where.port }, () => {
        server.off("error", reject);
        resolve();
      });
    }).catch((e: NodeJS.ErrnoException) => {
      throw new ApiError(`listen tcp ${this.listen}: ${goSyscallMessage(e)}`, 500);
    });
    server.on("error", () => undefined);
    const bound = server.address();
    if (bound !== null && typeof bound === "object") this.listen = formatHostPort(bound.address, bound.port);
    this.server = server;
    this.enabled = true;
  }

  /** Closes the listener and every connection, including ones still dialing upstream. */
  stop(): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.server?.close();
    this.server = undefined;
    for (const c of [...this.connections]) c.close();
    for (const s of this.dialing) s.destroy();
    this.dialing.clear();
  }

  /** Proxy.Update: missing fields were filled from current values by the caller. */
  async update(input: { listen: string; upstream: string; enabled: boolean }): Promise<void> {
    if (input.listen !== this.listen || input.upstream !== this.upstream) {
      this.stop();
      this.listen = input.listen;
      this.upstream = input.upstream;
    }
    if (input.enabled !== this.enabled) {
      if (input.enabled) await this.start();
      else this.stop();
    }
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      // Toxiproxy serialises an untagged exported Logger field; kept for byte-compatible bodies.
      Logger: {},
      toxics: this.toxics.list().map(toxicJson),
    };
  }

  private bindAddress(): HostPort {
    const hp = this.listen === "" ? { host: "", port: 0 } : parseHostPort(this.listen);
    if (hp === undefined)
      throw new ApiError(`listen tcp ${this.listen}: address ${this.listen}: missing port in address`, 500);
    // Go resolves "localhost" to 127.0.0.1 for tcp; an empty host means all interfaces, which we
    // only do with the remote opt-in (loopback otherwise).
    let host = hp.host.toLowerCase() === "localhost" ? "127.0.0.1" : hp.host;
    if (host === "") host = this.policy.allowRemote ? "::" : "127.0.0.1";
    return { host, port: hp.port };
  }

  private accept(client: Socket): void {
    if (!this.enabled) {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    client.on("error", () => undefined);
    const target = parseHostPort(this.upstream);
    if (target === undefined) {
      client.destroy();
      return;
    }
    this.dialing.add(client);
    const server = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    server.setNoDelay(true);
    const fail = () => {
      this.dialing.delete(client);
      client.destroy();
      server.destroy();
    };
    server.once("error", fail);
    client.once("close", fail);
    server.once("connect", () => {
      server.off("error", fail);
      client.off("close", fail);
      if (!this.dialing.delete(client) || !this.enabled) {
        client.destroy();
        server.destroy();
        return;
      }
      const conn = new Connection(client, server, this.toxics.chainsSnapshot(), this.policy.random, (c) =>
        this.connections.delete(c),
      );
      this.connections.add(conn);
      client.resume();
    });
  }
}

/** Node's errno for a failed bind, phrased like Go's net.OpError. */
function goSyscallMessage(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "EADDRINUSE":
      return "bind: address already in use";
    case "EADDRNOTAVAIL":
      return "bind: cannot assign requested address";
    case "EACCES":
      return "bind: permission denied";
    default:
      return e.message;
  }
}
