import type { ExecutionRecord, StepRecord } from "pipewright";
import { escapeHtml } from "./escape.js";
import { formatSeconds, plural, truncate } from "./format.js";
import { displayStatus } from "./status.js";
import { containersOf, sharedDepth, type Container } from "./step-tree.js";
import { runSpan, stepTiming, type AttemptSegment, type StepTiming } from "./step-times.js";
import { axisTicks, tickLabel } from "./time-axis.js";

/** Rows drawn at most: a 10,000-step run still gives a page a browser opens at once. */
export const MAX_TIMELINE_ROWS = 500;
const TOOLTIP_ERROR_CHARS = 600;

const OUTCOME_WORD: Record<AttemptSegment["outcome"], string> = {
  retried: "failed, retried",
  success: "succeeded",
  failed: "failed",
  skipped: "failed (skip on error)",
  cancelled: "cancelled",
  rolled_back: "succeeded, later rolled back",
  running: "still running when last recorded",
};

/**
 * The Gantt chart: one row per step (under a header row for each nested pipeline and parallel group),
 * a bar from its start to its end relative to the run's start, split into one segment per attempt.
 * Positions are percentages, so the chart fills any width; rows scroll under a sticky time axis.
 */
export function renderTimeline(record: ExecutionRecord): string {
  const span = runSpan(record);
  const runStart = Date.parse(record.startedAt);
  const shown = record.steps.slice(0, MAX_TIMELINE_ROWS);
  const timings = shown.map((step) => stepTiming(step, runStart, span));
  const { interval, ticks } = axisTicks(span);
  const pct = (seconds: number) => `${((seconds / span) * 100).toFixed(3)}%`;

  const axis = ticks.map((t) => `<span class="tick" style="left:${pct(t)}">${tickLabel(t, interval)}</span>`).join("");
  const spans = containerSpans(shown, timings);
  const rows: string[] = [];
  let previous: Container[] = [];
  shown.forEach((step, i) => {
    const chain = containersOf(step);
    for (let depth = sharedDepth(previous, chain); depth < chain.length; depth++) {
      rows.push(containerRow(chain[depth] as Container, depth, spans, pct));
    }
    previous = chain;
    rows.push(stepRow(step, timings[i], chain.length, span, pct));
  });
  const note =
    record.steps.length > shown.length
      ? `<p class="note cap">Showing the first ${shown.length.toLocaleString("en-US")} of ${plural(record.steps.length, "step")}; failures are listed under Errors.</p>`
      : "";
  return `${note}<div class="timeline" style="--tick:${pct(interval)}">
<div class="tl-head"><div class="tl-corner">Step</div><div class="tl-axis">${axis}</div></div>
${rows.join("\n")}
</div>`;
}

interface Span {
  start: number;
  end: number;
}

/** From the first start to the last end of each container's steps that ran. */
function containerSpans(steps: readonly StepRecord[], timings: ReadonlyArray<StepTiming | undefined>): Map<string, Span> {
  const spans = new Map<string, Span>();
  steps.forEach((step, i) => {
    const timing = timings[i];
    if (!timing) return;
    for (const container of containersOf(step)) {
      const known = spans.get(container.id);
      spans.set(container.id, {
        start: Math.min(known?.start ?? Infinity, timing.start),
        end: Math.max(known?.end ?? 0, timing.end),
      });
    }
  });
  return spans;
}

function containerRow(container: Container, depth: number, spans: Map<string, Span>, pct: (s: number) => string): string {
  const kind = container.kind === "group" ? "parallel" : "pipeline";
  const span = spans.get(container.id);
  const bracket = span ? `<span class="tl-bracket" style="left:${pct(span.start)};width:${pct(span.end - span.start)}"></span>` : "";
  return `<div class="tl-row tl-container k-${kind}" style="--depth:${depth}"><div class="tl-name"><span class="kind">${kind}</span>${escapeHtml(container.label)}</div><div class="tl-track">${bracket}</div></div>`;
}

function stepRow(step: StepRecord, timing: StepTiming | undefined, depth: number, span: number, pct: (s: number) => string): string {
  const status = displayStatus(step);
  const name = escapeHtml(step.name);
  const track = timing ? bar(step, timing, span, pct) : `<span class="tl-note st-${status}">${escapeHtml(noteFor(step))}</span>`;
  return `<div class="tl-row" data-step="${name}" data-status="${status}" style="--depth:${depth}"><div class="tl-name" title="${name}"><span class="dot st-${status}"></span>${escapeHtml(shortName(step.name))}</div><div class="tl-track">${track}</div></div>`;
}

function bar(step: StepRecord, timing: StepTiming, span: number, pct: (s: number) => string): string {
  const segments = timing.segments.map((segment) => {
    const title = escapeHtml(segmentTitle(step, segment));
    return `<span class="seg o-${segment.outcome}" data-attempt="${segment.attempt}" style="left:${pct(segment.start)};width:${pct(segment.end - segment.start)}" title="${title}"></span>`;
  });
  // The label goes after the bar, or before it when the bar ends near the right edge, or inside a bar that fills the row.
  const label = escapeHtml(barLabel(step, timing));
  const [where, place] =
    timing.end / span < 0.72
      ? ["after", `left:calc(${pct(timing.end)} + 6px)`]
      : timing.start / span > 0.15
        ? ["before", `right:calc(${pct(span - timing.start)} + 6px)`]
        : ["inside", `right:calc(${pct(span - timing.end)} + 6px)`];
  return `${segments.join("")}<span class="tl-label ${where}" style="${place}">${label}</span>`;
}

function segmentTitle(step: StepRecord, segment: AttemptSegment): string {
  const of = step.attempts > 1 ? `attempt ${segment.attempt} of ${step.attempts}` : "its only attempt";
  const previous = step.attemptErrors.find((a) => a.attempt === segment.attempt - 1);
  // Checkpoints that did not record the wait: the segment starts where the previous attempt failed.
  const wait = segment.attempt > 1 && previous?.retryDelay === undefined ? ", with the retry wait before it" : "";
  const lines = [`${step.name} — ${of}: ${OUTCOME_WORD[segment.outcome]}`, `+${formatSeconds(segment.start)} → +${formatSeconds(segment.end)} (${formatSeconds(segment.end - segment.start)}${wait})`];
  if (segment.error !== undefined) lines.push(truncate(segment.error, TOOLTIP_ERROR_CHARS));
  return lines.join("\n");
}

function barLabel(step: StepRecord, timing: StepTiming): string {
  const parts = [formatSeconds(timing.end - timing.start)];
  if (step.attempts > 1) parts.push(`${step.attempts} attempts`);
  if (step.items) {
    const failed = step.items.filter((item) => item?.status === "failed").length;
    const done = step.items.filter((item) => item?.status === "success").length;
    parts.push(`${done}/${step.items.length} items${failed ? `, ${failed} failed` : ""}`);
  }
  if (step.status !== "success") parts.push(step.status.replace("_", " "));
  return parts.join(" · ");
}

/** Why a step has no bar. */
function noteFor(step: StepRecord): string {
  if (step.resumedFrom !== undefined) return `↺ restored from ${step.resumedFrom}`;
  if (step.status === "skipped") return `skipped${step.skipReason ? ` — ${truncate(step.skipReason, 160)}` : ""}`;
  if (step.status === "pending") return "not run";
  return step.status.replace("_", " ");
}

/** The step's own name: its nested pipelines are the header rows above it. */
function shortName(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}
