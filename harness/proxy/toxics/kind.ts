/**
 * What a toxic type is: its attribute names (all integers, 0 when omitted, as in Toxiproxy's Go
 * structs), and a `pipe` body that moves chunks from a stub's input to its output until EOF, a
 * close of its own, or an interrupt. Bodies are written like Toxiproxy's goroutines so their
 * behaviour can be compared line by line.
 */
import type { Stub } from "../link/stub.ts";

export type Attributes = Readonly<Record<string, number>>;

export interface ToxicKind {
  readonly type: string;
  /** Attribute names in the order Toxiproxy serialises them. */
  readonly attributes: readonly string[];
  /** Capacity in bytes of the channel feeding this toxic; large for toxics that hold data back. */
  readonly bufferBytes?: number;
  /** Per-connection state that survives updates of the toxic (limit_data's byte count). */
  newState?(): unknown;
  pipe(stub: Stub, attrs: Attributes): Promise<void>;
  /** Runs when the toxic is removed from a live link (timeout closes the link, like Go's Cleanup). */
  cleanup?(stub: Stub): void;
}

/** An attribute's value; omitted attributes are 0. */
export function attr(attrs: Attributes, name: string): number {
  return attrs[name] ?? 0;
}
