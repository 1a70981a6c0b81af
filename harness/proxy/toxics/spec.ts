/**
 * A toxic as configured through the API: the immutable snapshot the collection hands to every
 * live link. Updates replace the snapshot rather than mutate it, so a running toxic body always
 * sees one consistent set of attributes.
 */
import type { Attributes, ToxicKind } from "./kind.ts";

export type Direction = "upstream" | "downstream";

export interface ToxicSpec {
  readonly name: string;
  readonly type: string;
  /** The stream string as the client sent it (Toxiproxy echoes it unnormalised). */
  readonly stream: string;
  readonly direction: Direction;
  readonly toxicity: number;
  readonly attributes: Attributes;
  readonly kind: ToxicKind;
}

/** Toxiproxy's toxic JSON, in its field order. */
export function toxicJson(spec: ToxicSpec): Record<string, unknown> {
  const attributes: Record<string, number> = {};
  for (const key of spec.kind.attributes) attributes[key] = spec.attributes[key] ?? 0;
  return { attributes, name: spec.name, type: spec.type, stream: spec.stream, toxicity: spec.toxicity };
}
