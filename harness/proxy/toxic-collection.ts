/**
 * A proxy's toxics: one ordered chain per direction, names unique across both, and the JSON rules
 * of Toxiproxy's ToxicCollection (defaults, check order, partial updates). Every change is applied
 * to the live links of the proxy's open connections before the API call returns.
 */

import {
  errBadRequestBody,
  errInvalidStream,
  errInvalidToxicType,
  errToxicAlreadyExists,
  errToxicNotFound,
  joined,
} from "./api/api-error.ts";
import { asObject, jsonKind, optInteger, optNumber, optString } from "./api/decode.ts";
import type { Connection } from "./connection.ts";
import type { Attributes, ToxicKind } from "./toxics/kind.ts";
import { toxicKinds } from "./toxics/registry.ts";
import type { Direction, ToxicSpec } from "./toxics/spec.ts";

function parseDirection(stream: string): Direction | undefined {
  const s = stream.toLowerCase();
  return s === "upstream" || s === "downstream" ? s : undefined;
}

/** Decodes `attributes` over `base`; only the kind's own attributes are read. */
function decodeAttributes(kind: ToxicKind, raw: unknown, base: Attributes): Attributes {
  if (raw === undefined || raw === null) return base;
  if (jsonKind(raw) !== "object") {
    throw joined(
      errBadRequestBody(),
      `json: cannot unmarshal ${jsonKind(raw)} into Go struct field .attributes`,
    );
  }
  const o = raw as Record<string, unknown>;
  const out: Record<string, number> = { ...base };
  for (const key of kind.attributes) {
    const v = optInteger(o, key, kind.type);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

export class ToxicCollection {
  private readonly chains: Record<Direction, ToxicSpec[]> = { upstream: [], downstream: [] };

  constructor(private readonly connections: () => Iterable<Connection>) {}

  /** Upstream chain first, then downstream, each in insertion order (Toxiproxy's GetToxicArray). */
  list(): ToxicSpec[] {
    return [...this.chains.upstream, ...this.chains.downstream];
  }

  chainsSnapshot(): { upstream: readonly ToxicSpec[]; downstream: readonly ToxicSpec[] } {
    return { upstream: [...this.chains.upstream], downstream: [...this.chains.downstream] };
  }

  get(name: string): ToxicSpec {
    const found = this.find(name);
    if (found === undefined) throw errToxicNotFound();
    return found;
  }

  /** POST /proxies/{p}/toxics with an already parsed body. */
  async addJson(body: unknown): Promise<ToxicSpec> {
    const o = asObject(body, "toxics.ToxicWrapper");
    const where = "toxics.ToxicWrapper";
    const name = optString(o, "name", where) ?? "";
    const type = optString(o, "type", where) ?? "";
    const stream = optString(o, "stream", where) ?? "downstream";
    const toxicity = optNumber(o, "toxicity", where) ?? 1.0;
    const rawAttributes = o.attributes;
    if (rawAttributes !== undefined && rawAttributes !== null && jsonKind(rawAttributes) !== "object") {
      throw joined(
        errBadRequestBody(),
        `json: cannot unmarshal ${jsonKind(rawAttributes)} into Go struct field ToxicWrapper.attributes of type toxics.NoopToxic`,
      );
    }
    const direction = parseDirection(stream);
    if (direction === undefined) throw errInvalidStream();
    const finalName = name === "" ? `${type}_${stream}` : name;
    const kind = toxicKinds.get(type);
    if (kind === undefined) throw errInvalidToxicType();
    if (this.find(finalName) !== undefined) throw errToxicAlreadyExists();
    const zero: Record<string, number> = {};
    for (const key of kind.attributes) zero[key] = 0;
    const attributes = decodeAttributes(kind, rawAttributes, zero);
    const spec: ToxicSpec = { name: finalName, type, stream, direction, toxicity, attributes, kind };
    this.chains[direction].push(spec);
    const work: Promise<void>[] = [];
    for (const c of this.connections()) {
      if (type === "reset_peer") c.markResetOnClose();
      work.push(c.link(direction).add(spec));
    }
    await Promise.all(work);
    return spec;
  }

  /** POST/PATCH /proxies/{p}/toxics/{t}: `attributes` and `toxicity` decoded over current values. */
  async updateJson(name: string, body: unknown): Promise<ToxicSpec> {
    const current = this.get(name);
    const o = asObject(body, "struct { Attributes interface {}; Toxicity float32 }");
    const toxicity = optNumber(o, "toxicity", "struct") ?? current.toxicity;
    const attributes = decodeAttributes(current.kind, o.attributes, current.attributes);
    const spec: ToxicSpec = { ...current, toxicity, attributes };
    const chain = this.chains[spec.direction];
    chain[chain.indexOf(current)] = spec;
    await Promise.all([...this.connections()].map((c) => c.link(spec.direction).update(spec)));
    return spec;
  }

  async remove(name: string): Promise<void> {
    const spec = this.get(name);
    const chain = this.chains[spec.direction];
    chain.splice(chain.indexOf(spec), 1);
    await Promise.all([...this.connections()].map((c) => c.link(spec.direction).remove(name)));
  }

  /** Removes every toxic (POST /reset). */
  async reset(): Promise<void> {
    for (const spec of this.list()) await this.remove(spec.name);
  }

  private find(name: string): ToxicSpec | undefined {
    return (
      this.chains.upstream.find((t) => t.name === name) ?? this.chains.downstream.find((t) => t.name === name)
    );
  }
}
