/**
 * The narrow seam between the harness and a target system (after OpenMessaging Benchmark's
 * driver API). A driver boots or connects to its target, sends batches for the load loop, and
 * reports deliveries; it never decides rates and never judges results.
 */

import type { PlannedMessage } from "../generator/schedule.ts";
import type { NodeProcess } from "../supervisor/node-process.ts";
import type { Network } from "./network.ts";

export type SendOutcome = { type: "ok" } | { type: "fail"; error: string } | { type: "info"; error: string };

/** Receives deliveries as contiguous id ranges of one producer. */
export interface DeliverySink {
  delivered(
    process: string,
    node: string,
    producer: number,
    from: number,
    to: number,
    position?: { partition: number; offset: number },
  ): void;
  unparsed(process: string, count: number, sample: string): void;
}

/** Where a client outside the harness process (a load worker) sends: the entry the producers use. */
export type ClientEndpoint = { engine: "log"; brokers: string[] } | { engine: "agent"; url: string };

export interface Driver {
  /** Boots the target's nodes and consumers. */
  start(): Promise<void>;
  /** Sends one batch of consecutive messages of one producer. */
  send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome>;
  /** Node-level fault targets, by name. */
  node(name: string): NodeProcess | undefined;
  /** The proxied links, once started. */
  network(): Network | undefined;
  /** Collector-level slowdown, for the `slow` fault. */
  setDelay(node: string, delayMs: number): void;
  /** The producers' entry point, once started, for load workers in other processes. */
  clientEndpoint?(): ClientEndpoint | undefined;
  /** Stops sending, stops the target and releases every resource. */
  close(): Promise<void>;
}
