import { formatDuration, type Colors } from "../output.js";
import type { DisplayModel, Entry, StepView } from "./model.js";
import { count, progressBar, progressText } from "./progress-bar.js";
import { sanitize, truncate, visibleWidth } from "./text-width.js";

export const SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

export interface LineStyle {
  colors: Colors;
  /** Columns a line may take (the live display keeps one free: a full line would wrap on some terminals). */
  width: number;
  /** Lines above the live area in full (they may wrap), instead of cut to the width. */
  verbose: boolean;
}

/** The lines an entry prints above the live area: one, or one per line of a multi-line message. */
export function entryLines(entry: Entry, style: LineStyle): string[] {
  const text = entryText(entry, style);
  if (!text.includes("\n")) return [fit(text, style)];
  return text.split("\n").map((line) => fit(line, style));
}

function fit(line: string, style: LineStyle): string {
  const safe = sanitize(line);
  return style.verbose ? safe : truncate(safe, style.width);
}

function entryText(entry: Entry, { colors: c }: LineStyle): string {
  switch (entry.type) {
    case "started": {
      const e = entry.event;
      const n = e.steps.length;
      return `${c.bold(`▶ ${e.pipelineName}`)} ${c.dim(e.executionId)} · ${count(n)} step${n === 1 ? "" : "s"}${e.resumedFrom ? ` · resuming ${e.resumedFrom}` : ""}`;
    }
    case "log":
      return entry.message
        .split("\n")
        .map((line) => `  ${c.dim(`${entry.step} │`)} ${line}`)
        .join("\n");
    case "retry": {
      const e = entry.event;
      return `${c.yellow("↻")} ${e.step} ${c.yellow(`attempt ${e.attempt - 1}/${entry.view.maxAttempts} failed: ${firstLine(e.error)}`)} ${c.dim(`— retrying in ${formatDuration(e.delaySeconds)}`)}`;
    }
    case "succeeded": {
      const e = entry.event;
      const attempts = e.attempts > 1 ? c.dim(` · ${e.attempts} attempts`) : "";
      return `${c.green("✓")} ${e.step} ${c.dim(formatDuration(e.elapsedTime))}${attempts}${itemsNote(entry.view, c)}`;
    }
    case "failed": {
      const e = entry.event;
      return `${c.red("✗")} ${e.step} ${c.dim(formatDuration(e.elapsedTime))} ${c.red(e.error)} ${c.dim(`(after ${e.attempts} attempt${e.attempts === 1 ? "" : "s"})`)}${itemsNote(entry.view, c)}`;
    }
    case "skipped": {
      const e = entry.event;
      return `${c.yellow("⊘")} ${e.step} ${c.yellow(`skipped: ${e.reason}`)}${e.error ? c.dim(` — ${e.error}`) : ""}`;
    }
    case "cancelled": {
      const e = entry.event;
      return `${c.yellow("■")} ${e.step} ${c.dim(formatDuration(e.elapsedTime))} ${c.yellow(`cancelled: ${e.reason}`)}`;
    }
    case "resumed":
      return `${c.dim("↷")} ${entry.event.step} ${c.dim(`done in ${entry.event.from}, not run again`)}`;
    case "rolled-back":
      return `${c.magenta("↶")} ${entry.event.step} rolled back ${c.dim(formatDuration(entry.event.elapsedTime))}`;
    case "rollback-failed":
      return `${c.red("↶")} ${entry.event.step} ${c.red(`rollback failed: ${entry.event.error}`)}`;
    case "warning":
      return c.yellow(`! ${entry.message}`);
    case "printed":
      return entry.text;
    case "more-succeeded":
      return `${c.green("✓")} ${c.dim(`… and ${count(entry.count)} more step${entry.count === 1 ? "" : "s"} succeeded, the last ${entry.last}`)}`;
  }
}

/** " · 1,000 items · 3 failed" for a step that reported progress with a total. */
function itemsNote(view: StepView, c: Colors): string {
  const p = view.progress;
  if (!p || p.total === undefined) return "";
  return c.dim(` · ${count(p.done)}/${count(p.total)} ${view.kind === "map" ? "items" : "done"}`) + (p.failed > 0 ? c.red(` · ${count(p.failed)} failed`) : "");
}

function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return end < 0 ? text : `${text.slice(0, end)} …`;
}

export interface LiveFrame {
  now: number;
  /** Advances the spinners: one step per frame. */
  tick: number;
  /** Most lines the live area may take (it must fit on the screen to be redrawn in place). */
  maxLines: number;
}

/**
 * The live area: a line per running step (spinner, elapsed time, attempt or retry, progress bar),
 * then a status line. Bounded by `maxLines` however many steps run: the rest are counted.
 */
export function liveLines(model: DisplayModel, frame: LiveFrame, style: LineStyle): string[] {
  const c = style.colors;
  const room = Math.max(1, frame.maxLines - 1); // the status line always shows
  const running = [...takeFirst(model.running, model.running.size > room ? room - 1 : room)];
  const hidden = model.running.size - running.length;
  const names = running.map((view) => label(view, c));
  const nameWidth = Math.min(Math.max(0, ...names.map(visibleWidth)), Math.max(12, Math.floor(style.width * 0.4)));
  const lines = running.map((view, i) => truncate(runningLine(view, names[i] ?? view.name, nameWidth, frame, style), style.width));
  if (hidden > 0) lines.push(truncate(c.dim(`  … and ${count(hidden)} more running`), style.width));
  lines.push(truncate(statusLine(model, frame.now, c), style.width));
  return lines;
}

function* takeFirst<T>(items: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  let taken = 0;
  for (const item of items) {
    yield item;
    if (++taken >= n) return;
  }
}

/** The step's name, after its parallel group when the name does not already say it (`chip/load` does). */
function label(view: StepView, c: Colors): string {
  if (view.group === undefined || view.name.startsWith(`${view.group}/`)) return view.name;
  return `${c.dim(`${view.group} ›`)} ${view.name}`;
}

function runningLine(view: StepView, name: string, nameWidth: number, frame: LiveFrame, style: LineStyle): string {
  const c = style.colors;
  const waiting = view.state === "waiting-retry";
  const symbol = waiting ? c.yellow("↻") : c.cyan(SPINNER[(frame.tick + view.index) % SPINNER.length] ?? "·");
  const padded = name + " ".repeat(Math.max(0, nameWidth - visibleWidth(name)));
  const elapsed = c.dim(formatDuration(Math.max(0, frame.now - view.startedAt) / 1000).padStart(6));
  let detail = "";
  if (waiting) {
    const left = Math.max(0, view.retryAt - frame.now) / 1000;
    detail = `${c.yellow(`attempt ${view.attempt + 1}/${view.maxAttempts} in ${formatDuration(left)}`)} ${c.dim(`— ${sanitize(firstLine(view.lastError))}`)}`;
  } else {
    const parts: string[] = [];
    if (view.attempt > 1) parts.push(c.yellow(`attempt ${view.attempt}/${view.maxAttempts}`));
    const p = view.progress;
    if (p) {
      const barWidth = Math.min(24, Math.floor(style.width / 5));
      const bar = progressBar(p, barWidth, c);
      parts.push(`${bar}${bar ? " " : ""}${progressText(p, frame.now, c)}`);
    }
    detail = parts.join("  ");
  }
  return `${symbol} ${padded} ${elapsed}${detail ? `  ${detail}` : ""}`;
}

function statusLine(model: DisplayModel, now: number, c: Colors): string {
  const parts = [`${count(model.done)}/${count(model.steps.length)} done`, `${count(model.running.size)} running`];
  if (model.failed > 0) parts.push(c.red(`${count(model.failed)} failed`));
  if (model.waiting > 0) parts.push(`${count(model.waiting)} waiting`);
  const elapsed = model.startedAt > 0 ? formatDuration(Math.max(0, now - model.startedAt) / 1000) : "";
  return c.dim(`  ${parts.join(" · ")}${elapsed ? ` · ${elapsed}` : ""}`);
}
