/**
 * Compiles a Vega-Lite spec and renders it to SVG in node (vega's headless renderer), collecting
 * every warning, so spec tests fail on a chart that would not draw or would draw with a warning.
 */

import * as vega from "vega";
import * as vl from "vega-lite";
import type { Spec } from "../../../reports/specs/common.ts";

export async function render(spec: Spec): Promise<{ svg: string; warnings: string[] }> {
  const warnings: string[] = [];
  const logger = {
    level: (_?: number) => logger,
    error: (...a: unknown[]) => {
      throw new Error(a.join(" "));
    },
    warn: (...a: unknown[]) => {
      warnings.push(a.join(" "));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  // The headless renderer has no container to measure: give it a width.
  const fixed = { ...structuredClone(spec), width: 600 };
  const compiled = vl.compile(fixed as unknown as vl.TopLevelSpec, { logger: logger as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logger: logger as never });
  const svg = await view.toSVG();
  view.finalize();
  return { svg, warnings };
}

/** Every object in a spec that has a `mark`, with the encodings in scope for it. */
export function markLayers(spec: Spec, inherited: Spec = {}): { mark: unknown; encoding: Spec }[] {
  const encoding = { ...inherited, ...((spec.encoding as Spec | undefined) ?? {}) };
  const out: { mark: unknown; encoding: Spec }[] = [];
  if (spec.mark !== undefined) out.push({ mark: spec.mark, encoding });
  for (const l of (spec.layer as Spec[] | undefined) ?? []) out.push(...markLayers(l, encoding));
  return out;
}
