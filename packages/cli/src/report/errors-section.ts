import type { AttemptError, ExecutionRecord, ItemRecord, StepRecord } from "pipewright";
import { escapeHtml } from "./escape.js";
import { formatSeconds, plural, truncate } from "./format.js";
import { displayStatus, statusPill } from "./status.js";

/** Cards at most, and failed items listed per map step: the rest is counted, not listed. */
export const MAX_ERROR_CARDS = 200;
export const MAX_FAILED_ITEMS = 20;
const ERROR_CHARS = 10_000;

/** A card for every step with something that went wrong: its error, each failed attempt, its rollback error, its failed items. */
export function renderErrors(record: ExecutionRecord): string {
  const troubled = troubledSteps(record);
  if (troubled.length === 0) return `<p class="all-clear">No errors: no step failed, and no attempt had to be retried.</p>`;
  const cards = troubled.slice(0, MAX_ERROR_CARDS).map(errorCard);
  const note =
    troubled.length > MAX_ERROR_CARDS ? `<p class="note">Showing ${MAX_ERROR_CARDS} of ${plural(troubled.length, "step")} with errors.</p>` : "";
  return `<div class="errors">${cards.join("\n")}</div>${note}`;
}

/** Steps with an error, a failed attempt, a rollback error or a failed item: those that ended badly first, then in record order. */
export function troubledSteps(record: ExecutionRecord): StepRecord[] {
  const troubled = record.steps.filter(
    (step) => step.error !== undefined || step.attemptErrors.length > 0 || step.rollbackError !== undefined || failedItems(step).length > 0,
  );
  const endedWell = (step: StepRecord) => (step.status === "success" || step.status === "rolled_back" ? 1 : 0);
  return troubled.sort((a, b) => endedWell(a) - endedWell(b)); // stable: record order within each part
}

function errorCard(step: StepRecord): string {
  const status = displayStatus(step);
  const meta = [plural(step.attempts, "attempt"), step.startedAt !== undefined ? formatSeconds(step.elapsedTime) : undefined].filter(Boolean).join(" · ");
  const parts = [`<h3>${statusPill(status)} <code>${escapeHtml(step.name)}</code> <span class="muted">${meta}</span></h3>`];
  if (step.error !== undefined) parts.push(`<pre class="error-text">${escapeHtml(truncate(step.error, ERROR_CHARS))}</pre>`);
  const earlier = step.attemptErrors.filter((a) => !(a.attempt === step.attempts && a.error === step.error));
  if (earlier.length > 0) parts.push(attemptList(earlier));
  if (step.rollbackError !== undefined) {
    parts.push(`<p class="sub">Rollback failed — its effects may remain:</p><pre class="error-text">${escapeHtml(truncate(step.rollbackError, ERROR_CHARS))}</pre>`);
  }
  const items = failedItems(step);
  if (items.length > 0) parts.push(itemTable(items));
  return `<article class="error-card st-${status}" data-step="${escapeHtml(step.name)}">${parts.join("\n")}</article>`;
}

/** The failed attempts before the last (whose error, when the step failed, is shown above), with when each failed. */
function attemptList(attempts: readonly AttemptError[]): string {
  const rows = attempts.map(
    (a) =>
      `<li><b>Attempt ${a.attempt}</b> <span class="muted">failed ${formatSeconds(a.elapsedTime)} after the step started</span> <code>${escapeHtml(truncate(a.error, ERROR_CHARS))}</code></li>`,
  );
  return `<ol class="attempts">${rows.join("")}</ol>`;
}

function failedItems(step: StepRecord): Array<{ index: number; item: ItemRecord }> {
  const found: Array<{ index: number; item: ItemRecord }> = [];
  step.items?.forEach((item, index) => {
    if (item?.status === "failed") found.push({ index, item });
  });
  return found;
}

function itemTable(items: ReadonlyArray<{ index: number; item: ItemRecord }>): string {
  const rows = items.slice(0, MAX_FAILED_ITEMS).map(
    ({ index, item }) =>
      `<tr><td class="num">${index}</td><td><code>${escapeHtml(truncate(item.key, 120))}</code></td><td class="num">${item.attempts}</td><td><code>${escapeHtml(truncate(item.error ?? "", ERROR_CHARS))}</code></td></tr>`,
  );
  const more = items.length > MAX_FAILED_ITEMS ? `<p class="note">… and ${(items.length - MAX_FAILED_ITEMS).toLocaleString("en-US")} more failed items.</p>` : "";
  return `<p class="sub">${plural(items.length, "failed item")}:</p><table class="items"><thead><tr><th class="num">#</th><th>item</th><th class="num">attempts</th><th>error</th></tr></thead><tbody>${rows.join("")}</tbody></table>${more}`;
}
