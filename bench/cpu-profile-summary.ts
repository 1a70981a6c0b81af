/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per source
 * file, so a benchmark can print where the broker's time went without opening DevTools.
 */

import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const shortUrl = (url: string) => {
  if (url === "") return "(native/V8)";
  const i = url.indexOf("/engines/");
  if (i >= 0) return url.slice(i + 1);
  if (url.startsWith("node:")) return url;
  const nm = url.lastIndexOf("node_modules/");
  return nm >= 0 ? url.slice(nm + 13) : url.replace(/^file:\/\//, "");
};

/** Top functions and files by self time, as printable text. */
export function summariseProfile(path: string, top = 15): string {
  const p = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const name = `${n.callFrame.functionName || "(anonymous)"} ${shortUrl(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ""}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    const f = n.callFrame.functionName === "(idle)" ? "(idle)" : shortUrl(n.callFrame.url);
    file.set(f, (file.get(f) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const lines = [`CPU profile ${path} (${(total / 1e6).toFixed(1)} s sampled)`, "  self time by function:"];
  for (const [name, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`    ${pct(us)}  ${name}`);
  lines.push("  self time by file:");
  for (const [name, us] of [...file].sort((a, b) => b[1] - a[1]).slice(0, 10))
    lines.push(`    ${pct(us)}  ${name}`);
  return lines.join("\n");
}

if (process.argv[1]?.endsWith("cpu-profile-summary.ts") && process.argv[2]) {
  console.log(summariseProfile(process.argv[2]));
}
