/**
 * Small measuring helpers shared by the benchmark script and its child process: timing (warm-up, then
 * the median of N runs), forced garbage collection between runs, peak RSS, and text tables.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { cpus, loadavg } from "node:os";

// `global.gc` without having to start node with --expose-gc: a fresh context picks the flag up.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/**
 * Runs a full garbage collection. Only between phases, never before each timed run: a forced full
 * GC shrinks the young generation and throws away JIT feedback, which made the next 1,000-step run
 * up to 4× slower than in steady state.
 */
export function collectGarbage(): void {
  gc();
}

/** Milliseconds. */
export interface Timing {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export interface TimeItOptions<T> {
  /** Measured runs; the median is reported. */
  runs: number;
  /** Unmeasured runs first (JIT warm-up). @default 1 */
  warmup?: number;
  /** Called after every run (warm-up included) with its result, outside the measured time. */
  after?: (result: T, measured: boolean) => Promise<void> | void;
}

/** Times `body`: `warmup` runs untimed, then `runs` timed ones, back to back. */
export async function timeIt<T>(body: () => Promise<T>, options: TimeItOptions<T>): Promise<Timing> {
  const warmup = options.warmup ?? 1;
  const runs: number[] = [];
  for (let i = 0; i < warmup + options.runs; i++) {
    const start = performance.now();
    const result = await body();
    const elapsed = performance.now() - start;
    const measured = i >= warmup;
    if (measured) runs.push(elapsed);
    await options.after?.(result, measured);
  }
  return summarize(runs);
}

/** One of the bodies `timeAlternating` compares. */
export interface Case<T> {
  body: () => Promise<T>;
  after?: (result: T, measured: boolean) => Promise<void> | void;
}

/**
 * Times two bodies in turns (a, b, a, b, ...), so that both see the same conditions: on a shared
 * disk, fsync latency drifts by several times within a minute.
 */
export async function timeAlternating<A, B>(a: Case<A>, b: Case<B>, runs: number, warmup = 1): Promise<[Timing, Timing]> {
  const times: [number[], number[]] = [[], []];
  const once = async <T>(c: Case<T>, into: number[], measured: boolean) => {
    const start = performance.now();
    const result = await c.body();
    const elapsed = performance.now() - start;
    if (measured) into.push(elapsed);
    await c.after?.(result, measured);
  };
  for (let i = 0; i < warmup + runs; i++) {
    await once(a, times[0], i >= warmup);
    await once(b, times[1], i >= warmup);
  }
  return [summarize(times[0]), summarize(times[1])];
}

export function summarize(runs: number[]): Timing {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, runs };
}

/** Peak resident set size of this process so far, in MB (maxRSS is in kB). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Prints to stderr, so that progress never mixes with the report (or with a child's JSON answer). */
export function progress(message: string): void {
  process.stderr.write(`  … ${message}\n`);
}

/** `1,000` style integers, fixed decimals otherwise. */
export function num(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Aligned plain-text table: first column left-aligned, the others right-aligned. */
export function textTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** The same table in Markdown, numeric columns right-aligned. */
export function markdownTable(headers: string[], rows: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, "\\|");
  return [
    `| ${headers.map(escape).join(" | ")} |`,
    `|${headers.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(escape).join(" | ")} |`),
  ].join("\n");
}

/** A benchmark target and how it went. */
export interface Check {
  target: string;
  goal: string;
  measured: string;
  ok: boolean;
}

export const pass = (ok: boolean): string => (ok ? "PASS" : "FAIL");

/** One line per target: `[PASS] target: measured  (target goal)`. */
export function targetLines(checks: readonly Check[]): string {
  return checks.map((c) => `[${pass(c.ok)}] ${c.target}: ${c.measured}  (target ${c.goal})`).join("\n");
}

/** The targets as a Markdown table. */
export function targetsMarkdown(checks: readonly Check[]): string {
  return markdownTable(
    ["Target", "Goal", "Measured", ""],
    checks.map((c) => [c.target, c.goal, c.measured, pass(c.ok)]),
  );
}

/**
 * The lines that close a benchmark report: the load average at the start and the end (with a
 * warning when other processes kept the machine busy), the verdict on the targets, the time taken.
 */
export function closingLines(loadAtStart: number, checks: readonly Check[], startedMs: number): string[] {
  const loadAtEnd = loadavg()[0] ?? 0;
  const busy = Math.max(loadAtStart, loadAtEnd) > cpus().length / 2;
  const failed = checks.filter((c) => !c.ok).length;
  return [
    `Load average (1 min): ${num(loadAtStart, 2)} at start, ${num(loadAtEnd, 2)} at the end, on ${cpus().length} CPUs.` +
      (busy ? " WARNING: other processes were busy; the timings are pessimistic and noisy." : ""),
    failed === 0 ? "All targets met." : `!!! ${failed} target${failed === 1 ? "" : "s"} FAILED !!!`,
    `Benchmark took ${num((performance.now() - startedMs) / 1000, 0)} s.`,
    "",
  ];
}
