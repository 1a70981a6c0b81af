/**
 * The "Load path and CPU" section of a run report: the harness-bound verdict in words, then CPU
 * per process (mean and peak cores in the measured window, CPU seconds in total).
 */

import type { Results } from "../harness/results/types.ts";
import { escapeHtml } from "./html.ts";

export function resourcesSection(r: Results): string {
  const res = r.resources;
  if (!res) return "";
  const verdict = r.harnessBound
    ? `<p class="bad" data-harness-bound="true">Harness-bound: the load path, not the engine, was the bottleneck, so these figures are not the engine's limit.</p><ul>${res.reasons.map((x) => `<li>${escapeHtml(x)}</li>`).join("")}</ul>`
    : `<p class="ok" data-harness-bound="false">Not harness-bound: the harness, the clients and the proxy kept up with the load.</p>`;
  const notes = res.notes.length
    ? `<ul class="meta">${res.notes.map((x) => `<li>${escapeHtml(x)}</li>`).join("")}</ul>`
    : "";
  const rows = res.processes
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.name)}</td><td>${escapeHtml(p.role)}</td><td class="num">${escapeHtml(p.meanCores.toFixed(2))}</td><td class="num">${escapeHtml(p.peakCores.toFixed(2))}</td><td class="num">${escapeHtml(p.cpuSeconds.toFixed(2))}</td></tr>`,
    )
    .join("");
  const machine =
    res.machineBusyPct === null
      ? ""
      : `<p class="meta">The machine (${escapeHtml(res.cores)} cores, every process on it) was ${escapeHtml(res.machineBusyPct)}% busy in the measured window.</p>`;
  return `<h2>Load path and CPU</h2>
${verdict}${notes}
<table><thead><tr><th>process</th><th>role</th><th class="num">mean cores</th><th class="num">peak cores</th><th class="num">CPU s</th></tr></thead><tbody>${rows}</tbody></table>
${machine}`;
}
