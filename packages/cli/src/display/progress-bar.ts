import { formatDuration, type Colors } from "../output.js";
import type { Progress } from "./model.js";

// Heavy and light lines: the bar reads without colour too (NO_COLOR).
const FULL = "━";
const EMPTY = "─";

/** `1,234` — counts of items read better grouped. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** A bar `width` cells wide: succeeded items green, failed ones red, the rest dim. */
export function progressBar(p: Progress, width: number, c: Colors): string {
  if (p.total === undefined || p.total <= 0 || width <= 0) return "";
  const done = Math.min(width, Math.round((width * p.done) / p.total));
  const failed = Math.min(done, p.failed > 0 ? Math.max(1, Math.round((width * p.failed) / p.total)) : 0);
  return c.green(FULL.repeat(done - failed)) + c.red(FULL.repeat(failed)) + c.dim(EMPTY.repeat(width - done));
}

/**
 * Items per second since the first report, and the time left at that rate; undefined until there is
 * half a second of history (a rate from two items is noise).
 */
export function rateAndEta(p: Progress, now: number): { rate: number; etaSeconds: number | undefined } | undefined {
  const seconds = (now - p.firstAt) / 1000;
  const items = p.done - p.firstDone;
  if (seconds < 0.5 || items <= 0) return undefined;
  const rate = items / seconds;
  const left = p.total === undefined ? undefined : Math.max(0, p.total - p.done);
  return { rate, etaSeconds: left === undefined ? undefined : left / rate };
}

/** "412/1,000 · 3 failed · 85/s · ETA 7.0s" (the parts that are known). */
export function progressText(p: Progress, now: number, c: Colors): string {
  const parts = [p.total === undefined ? count(p.done) : `${count(p.done)}/${count(p.total)}`];
  if (p.failed > 0) parts.push(c.red(`${count(p.failed)} failed`));
  const speed = rateAndEta(p, now);
  if (speed) {
    parts.push(`${speed.rate >= 10 ? count(Math.round(speed.rate)) : speed.rate.toFixed(1)}/s`);
    if (speed.etaSeconds !== undefined && p.done < (p.total ?? 0)) parts.push(`ETA ${formatDuration(speed.etaSeconds)}`);
  }
  return parts.join(c.dim(" · "));
}
