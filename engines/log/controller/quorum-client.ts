/**
 * A broker's line to the controller quorum: finds the active controller (following
 * `NOT_CONTROLLER <id>` hints, otherwise trying each voter in turn), registers, heartbeats every
 * `broker.heartbeat.interval.ms`, and long-polls the metadata image so leadership changes reach
 * the broker within one round trip of their commit (as KRaft brokers fetch the metadata log).
 */

import { RpcClient, RpcError } from "../rpc/rpc.ts";
import type { BrokerRecord, MetadataImage } from "./metadata-image.ts";

export interface QuorumClientOptions {
  controllers: Map<number, { host: string; port: number }>;
  broker: Omit<BrokerRecord, "fenced">;
  heartbeatIntervalMs: number;
  onImage: (image: MetadataImage) => void;
  log: (msg: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class QuorumClient {
  private readonly clients = new Map<number, RpcClient>();
  private readonly ids: number[];
  private active: number;
  private stopped = false;
  private version = -1;
  private registered = false;
  /** Set during controlled shutdown, so heartbeats do not unfence this broker again. */
  shuttingDown = false;
  lastHeartbeatOk = 0;
  /**
   * The controller's metadata version when it answered this broker's registration (after
   * unfencing it): an image at least this new holds every topic that existed then.
   */
  registeredAtVersion = 0;

  constructor(private readonly opts: QuorumClientOptions) {
    for (const [id, a] of opts.controllers) this.clients.set(id, new RpcClient(a.host, a.port));
    this.ids = [...opts.controllers.keys()].sort((a, b) => a - b);
    this.active = this.ids[0]!;
  }

  /** Calls the active controller, following leader hints and retrying until `deadlineMs`. */
  async call<T>(
    method: string,
    params: Record<string, unknown>,
    deadlineMs = 10_000,
    perCallMs = 2000,
  ): Promise<T> {
    const end = Date.now() + deadlineMs;
    let lastError: Error = new Error("no controller reachable");
    let attempt = 0;
    while (!this.stopped && Date.now() < end) {
      const id = this.active;
      try {
        return await this.clients
          .get(id)!
          .call<T>(method, params, Math.min(perCallMs, Math.max(50, end - Date.now())));
      } catch (e) {
        lastError = e as Error;
        const m = /^NOT_CONTROLLER (-?\d+)/.exec((e as Error).message);
        if (m && Number(m[1]) >= 0 && this.clients.has(Number(m[1])) && Number(m[1]) !== id) {
          this.active = Number(m[1]);
          continue;
        }
        if (!(e instanceof RpcError) || e.kind === "remote") {
          if (!m) throw e;
        }
        // Unreachable or leaderless: try the next voter after a short pause.
        this.active = this.ids[(this.ids.indexOf(id) + 1) % this.ids.length]!;
        if (++attempt % this.ids.length === 0) await sleep(100);
      }
    }
    throw lastError;
  }

  /** Registers (retrying until a controller answers), then starts the heartbeat and metadata loops. */
  async start(): Promise<void> {
    await this.register(60_000);
    void this.heartbeatLoop();
    void this.metadataLoop();
  }

  private async register(deadlineMs: number): Promise<void> {
    const r = await this.call<{ version?: number }>(
      "broker.register",
      { broker: this.opts.broker },
      deadlineMs,
    );
    this.registeredAtVersion = Math.max(this.registeredAtVersion, r?.version ?? 0);
    this.registered = true;
    this.lastHeartbeatOk = Date.now();
  }

  private async heartbeatLoop(): Promise<void> {
    while (!this.stopped) {
      await sleep(this.opts.heartbeatIntervalMs);
      if (this.stopped) break;
      try {
        const r = await this.call<{ unknown?: boolean }>(
          "broker.heartbeat",
          { id: this.opts.broker.id, shuttingDown: this.shuttingDown },
          this.opts.heartbeatIntervalMs * 2,
          this.opts.heartbeatIntervalMs,
        );
        if (r.unknown && !this.shuttingDown) await this.register(this.opts.heartbeatIntervalMs * 4);
        this.lastHeartbeatOk = Date.now();
      } catch {
        // The session timeout at the controller decides what a missed heartbeat means.
      }
    }
  }

  private async metadataLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        const image = await this.call<MetadataImage>(
          "broker.metadata",
          { since: this.version, maxWaitMs: 1000 },
          3000,
          2500,
        );
        if (image.version > this.version || image.version < this.version) {
          // A smaller version means a controller with a shorter applied log answered; take it
          // anyway only when newer than nothing (fresh start).
          if (image.version > this.version) {
            this.version = image.version;
            this.opts.onImage(image);
          }
        }
      } catch {
        await sleep(100);
      }
    }
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.clients.values()) c.close();
  }
}
