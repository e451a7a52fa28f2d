import type { ExecutionRecord } from "pipewright";
import { escapeHtml } from "./escape.js";
import { renderErrors, troubledSteps } from "./errors-section.js";
import { formatLocalTime, truncate } from "./format.js";
import { renderGraph } from "./graph-svg.js";
import { renderStepsTable } from "./steps-table.js";
import { STYLES } from "./styles.js";
import { renderSummary } from "./summary-section.js";
import { renderTimeline } from "./timeline.js";

export interface ReportOptions {
  /** Where the execution's checkpoint is, shown in the summary. */
  checkpointPath: string;
  /** When the report is made, for its footer. @default now */
  generatedAt?: Date;
}

const ORIGIN_CHARS = 4000;

// Defence in depth: step text is escaped, and the page may not run scripts or load anything anyway.
const CSP = "default-src 'none'; style-src 'unsafe-inline'";

const TIMELINE_LEGEND: Array<[string, string]> = [
  ["o-success", "succeeded"],
  ["o-retried", "failed attempt, retried"],
  ["o-failed", "failed"],
  ["o-skipped", "failed, skip on error"],
  ["o-cancelled", "cancelled"],
  ["o-rolled_back", "rolled back"],
  ["o-running", "running"],
];

/** The whole report of one execution: one self-contained HTML page (inline CSS and SVG, no script, nothing fetched). */
export function renderReport(record: ExecutionRecord, options: ReportOptions): string {
  const generated = (options.generatedAt ?? new Date()).toISOString();
  const troubled = troubledSteps(record).length;
  const legend = TIMELINE_LEGEND.map(([cls, label]) => `<span><i class="${cls}"></i>${label}</span>`).join("");
  const origin =
    record.origin === null
      ? ""
      : `<section><h2>Origin</h2><p class="hint">What the caller recorded to run it again.</p><pre class="origin">${escapeHtml(truncate(JSON.stringify(record.origin, null, 2), ORIGIN_CHARS))}</pre></section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${escapeHtml(`${record.pipelineName} · ${record.executionId} · ${record.status}`)} — Pipewright report</title>
<style>${STYLES}</style>
</head>
<body>
<main>
${renderSummary(record, options.checkpointPath)}
<section id="timeline"><div class="section-head"><h2>Timeline</h2><div class="legend">${legend}</div></div>
<p class="hint">Bars start and end when each step did, from the run's start. Each attempt is a segment, the gaps between them the waits before retries. Hover for details and errors.</p>
${renderTimeline(record)}
</section>
<section id="graph"><h2>Graph</h2>
${renderGraph(record)}
</section>
<section id="errors"><h2>Errors${troubled ? ` <span class="muted">(${troubled})</span>` : ""}</h2>
${renderErrors(record)}
</section>
<section id="steps"><h2>Steps</h2>
${renderStepsTable(record)}
</section>
${origin}
<footer>Made by <code>pipewright report</code> on ${escapeHtml(formatLocalTime(generated))} from <code>${escapeHtml(options.checkpointPath)}</code>. A self-contained file: it loads nothing from the network.</footer>
</main>
</body>
</html>
`;
}
