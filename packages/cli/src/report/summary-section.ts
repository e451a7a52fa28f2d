import type { ExecutionRecord } from "pipewright";
import { escapeHtml } from "./escape.js";
import { formatLocalTime, formatSeconds, truncate } from "./format.js";
import { displayStatus, statusPill, type DisplayStatus } from "./status.js";
import { runSpan } from "./step-times.js";

const PARAM_CHARS = 200;

/** The page's top: pipeline and status, when, how long, where it is recorded, its params, and a tile per step outcome. */
export function renderSummary(record: ExecutionRecord, checkpointPath: string): string {
  const total =
    record.totalTime === undefined ? `${formatSeconds(runSpan(record))} <span class="muted">(did not finish)</span>` : formatSeconds(record.totalTime);
  const facts: Array<[string, string]> = [
    ["Execution", `<code>${escapeHtml(record.executionId)}</code>`],
    ["Started", escapeHtml(formatLocalTime(record.startedAt))],
    ["Total time", total],
  ];
  if (record.resumedFrom !== undefined) facts.push(["Resumed from", `<code>${escapeHtml(record.resumedFrom)}</code>`]);
  facts.push(
    ["Options", `stop on error: ${record.stopOnError ? "yes" : "no"} · rollback: ${record.enableRollback ? "yes" : "no"}`],
    ["Host", `${escapeHtml(record.hostname || "?")} <span class="muted">pid ${record.pid}</span>`],
  );
  const params = Object.entries(record.params);
  const paramChips = params.length
    ? params.map(([k, v]) => `<code class="chip">${escapeHtml(k)}=${escapeHtml(truncate(v, PARAM_CHARS))}</code>`).join(" ")
    : `<span class="muted">none</span>`;
  return `<header class="hero st-${record.status}">
<div><div class="eyebrow">Pipewright run report</div><h1>${escapeHtml(record.pipelineName)}</h1>${record.description ? `<p class="desc">${escapeHtml(record.description)}</p>` : ""}</div>
<div class="verdict">${statusPill(record.status)}</div>
</header>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join("")}
<div class="wide"><dt>Parameters</dt><dd>${paramChips}</dd></div>
<div class="wide"><dt>Checkpoint</dt><dd><code>${escapeHtml(checkpointPath)}</code></dd></div></dl>
${countTiles(record)}`;
}

const TILES: Array<[DisplayStatus, string]> = [
  ["success", "succeeded"],
  ["failed", "failed"],
  ["skipped", "skipped"],
  ["cancelled", "cancelled"],
  ["rolled_back", "rolled back"],
  ["restored", "restored by resume"],
  ["pending", "not run"],
  ["running", "running"],
];
const ALWAYS_SHOWN = new Set<DisplayStatus>(["success", "failed", "skipped", "cancelled", "rolled_back"]);

function countTiles(record: ExecutionRecord): string {
  const counts = new Map<DisplayStatus, number>();
  for (const step of record.steps) counts.set(displayStatus(step), (counts.get(displayStatus(step)) ?? 0) + 1);
  const tiles = TILES.filter(([status]) => counts.has(status) || ALWAYS_SHOWN.has(status)).map(([status, label]) => {
    const n = counts.get(status) ?? 0;
    return `<div class="tile st-${status}${n === 0 ? " zero" : ""}"><b>${n.toLocaleString("en-US")}</b><span>${label}</span></div>`;
  });
  return `<div class="tiles"><div class="tile total"><b>${record.steps.length.toLocaleString("en-US")}</b><span>steps</span></div>${tiles.join("")}</div>`;
}
