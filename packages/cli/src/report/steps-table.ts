import type { ExecutionRecord } from "pipewright";
import { escapeHtml } from "./escape.js";
import { formatSeconds, plural, preview } from "./format.js";
import { displayStatus, statusPill } from "./status.js";
import { MAX_TIMELINE_ROWS } from "./timeline.js";

const OUTPUT_CHARS = 120;
const OUTPUT_TITLE_CHARS = 2000;
/** Up to this many steps the table starts open. */
const OPEN_UP_TO = 30;

/** Every step with its command, attempts, start, duration and output (a preview; more in its tooltip), in a collapsible table. */
export function renderStepsTable(record: ExecutionRecord): string {
  const runStart = Date.parse(record.startedAt);
  const shown = record.steps.slice(0, MAX_TIMELINE_ROWS);
  const rows = shown.map((step) => {
    const ran = step.startedAt !== undefined && step.resumedFrom === undefined;
    const start = ran ? `+${formatSeconds(Math.max(0, (Date.parse(step.startedAt as string) - runStart) / 1000))}` : "—";
    const output = step.output === null ? "" : preview(step.output, OUTPUT_CHARS);
    return `<tr><td><code>${escapeHtml(step.name)}</code></td><td>${statusPill(displayStatus(step))}</td><td><code class="muted">${escapeHtml(step.command)}</code></td><td class="num">${step.attempts}</td><td class="num">${start}</td><td class="num">${ran ? formatSeconds(step.elapsedTime) : "—"}</td><td class="output" title="${escapeHtml(preview(step.output, OUTPUT_TITLE_CHARS))}"><code>${escapeHtml(output)}</code></td></tr>`;
  });
  const more = record.steps.length > shown.length ? `<p class="note">Showing the first ${shown.length} of ${plural(record.steps.length, "step")}.</p>` : "";
  return `<details class="steps"${record.steps.length <= OPEN_UP_TO ? " open" : ""}><summary>${plural(record.steps.length, "step")}</summary>
<div class="table-wrap"><table><thead><tr><th>step</th><th>status</th><th>command</th><th class="num">attempts</th><th class="num">start</th><th class="num">duration</th><th>output</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table></div>${more}</details>`;
}
