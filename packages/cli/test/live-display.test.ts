import pc from "picocolors";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SPINNER } from "../src/display/lines.js";
import { visibleWidth } from "../src/display/text-width.js";
import { attachLiveRenderer, type LiveDisplay } from "../src/live-renderer.js";
import type { Output, Terminal } from "../src/output.js";
import { Replay, STREAM, T0, type Recorded } from "./fixtures/display/recorded-stream.js";
import { VirtualTerminal } from "./fixtures/display/virtual-terminal.js";

const FRAME = 80;
const SPINNING = new RegExp(`[${SPINNER}↻]`);

/** A terminal that applies every write to a `VirtualTerminal`, with a clock the test moves. */
function fakeTerminal(columns = 100, rows = 30, colors = false) {
  const screen = new VirtualTerminal(columns);
  const resizeListeners = new Set<() => void>();
  const writes: string[] = [];
  const errors: string[] = [];
  let intercepted: ((text: string, stream: "out" | "err") => void) | undefined;
  let exitListener: (() => void) | undefined;
  const terminal: Terminal = {
    isTTY: true,
    columns,
    rows,
    onResize: (listener) => {
      resizeListeners.add(listener);
      return () => resizeListeners.delete(listener);
    },
    interceptWrites: (onWrite) => {
      intercepted = onWrite;
      return () => (intercepted = undefined);
    },
  };
  const output: Output & { terminal: Terminal } = {
    out: (text) => {
      writes.push(text);
      screen.write(text);
    },
    err: (text) => {
      errors.push(text);
      screen.write(text);
    },
    colors: pc.createColors(colors),
    terminal,
  };
  return {
    screen,
    output,
    writes,
    errors,
    resize(to: number) {
      (terminal as { columns: number }).columns = to;
      screen.columns = to;
      resizeListeners.forEach((listener) => listener());
    },
    /** What another part of the process writes to stdout or stderr while the display is live. */
    foreign(text: string, stream: "out" | "err") {
      if (!intercepted) throw new Error("not intercepting");
      intercepted(text, stream);
    },
    exit: () => exitListener?.(),
    onExit: (listener: () => void) => {
      exitListener = listener;
      return () => (exitListener = undefined);
    },
  };
}

/** Replays the recorded stream up to (and including) the first event at or after `ms`, advancing the clock with it. */
function replayUntil(source: Replay, from: number, ms: number): number {
  let i = from;
  for (; i < STREAM.length; i++) {
    const event = STREAM[i]!;
    if (event[1].time - T0 > ms) break;
    vi.setSystemTime(event[1].time);
    source.emit(event);
  }
  return i;
}

/** Index of the first line of the live area (the first line with a spinner), or -1. */
const liveStart = (lines: string[]) => lines.findIndex((line) => SPINNING.test(line));

let display: LiveDisplay | undefined;
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  display?.stop();
  display = undefined;
  vi.useRealTimers();
});

function attach(t: ReturnType<typeof fakeTerminal>, verbose = false) {
  const source = new Replay();
  display = attachLiveRenderer(source, t.output, { onExit: t.onExit, verbose });
  return source;
}

describe("the live display", () => {
  it("prints step logs above the live area, which shows the running steps side by side with their group", () => {
    const t = fakeTerminal();
    const source = attach(t);
    replayUntil(source, 0, 20);
    vi.advanceTimersByTime(FRAME);

    const lines = t.screen.text();
    expect(lines.slice(0, 4)).toEqual([
      "▶ lab 20260115_093000 · 7 steps",
      "  prepare │ found 4 files in data/01_raw",
      "✓ prepare 0.01s",
      "  histories │ loaded 12 runs from data/01_raw/chip-67",
    ]);
    expect(liveStart(lines)).toBe(4);
    expect(lines.slice(4)).toEqual([
      expect.stringMatching(/^. analyses › histories +0\.\d\ds$/),
      expect.stringMatching(/^. analyses › calibration +0\.\d\ds$/),
      expect.stringMatching(/^. analyses › stage-files +0\.\d\ds {2}─+ 0\/4$/),
      expect.stringMatching(/^ {2}1\/7 done · 3 running · 3 waiting · 0\.\d\ds$/),
    ]);
    expect(t.screen.cursorVisible).toBe(false);
  });

  it("draws on its timer only: events update the model, nothing is written until the next frame", () => {
    const t = fakeTerminal();
    const source = attach(t);
    const next = replayUntil(source, 0, 12);
    vi.advanceTimersByTime(FRAME);
    const before = t.writes.length;

    replayUntil(source, next, 1000);
    expect(t.writes.length).toBe(before);
    vi.advanceTimersByTime(FRAME);
    expect(t.writes.length).toBe(before + 1); // one write per frame
  });

  it("shows the attempt number while waiting for a retry and during the retry; the failed attempt stays above", () => {
    const t = fakeTerminal();
    const source = attach(t);
    const next = replayUntil(source, 0, 400);
    vi.setSystemTime(T0 + 500);
    vi.advanceTimersByTime(FRAME);
    let lines = t.screen.text();
    expect(lines).toContain("↻ calibration attempt 1/3 failed: laser not ready — retrying in 0.50s");
    expect(lines.find((line) => line.includes("› calibration"))).toMatch(/^↻ analyses › calibration +0\.\d\ds {2}attempt 2\/3 in 0\.\d\ds — laser not ready$/);

    replayUntil(source, next, 900);
    vi.advanceTimersByTime(FRAME);
    lines = t.screen.text();
    expect(lines.find((line) => line.includes("› calibration"))).toMatch(/^. analyses › calibration +0\.9\ds {2}attempt 2\/3$/);
  });

  it("shows a map step's bar with done/failed/total, rate and ETA", () => {
    const t = fakeTerminal();
    const source = attach(t);
    replayUntil(source, 0, 1000);
    vi.advanceTimersByTime(FRAME);
    const line = t.screen.text().find((l) => l.includes("stage-files"));
    // 3 of 4 items in 1.07 s since the first report: 2.8/s, one item left; a 19-cell bar (a fifth of the width).
    expect(line).toMatch(/^. analyses › stage-files +1\.\d\ds {2}━{14}─{5} 3\/4 · 1 failed · 2\.\d\/s · ETA 0\.\d\ds$/);
  });

  it("keeps finished steps' lines in place above, and leaves no spinner, no status line and the cursor visible at the end", () => {
    const t = fakeTerminal();
    const source = attach(t);
    let next = 0;
    for (let ms = 0; ms <= 1830 + FRAME; ms += FRAME) {
      next = replayUntil(source, next, ms);
      vi.advanceTimersByTime(FRAME);
    }
    display?.stop();

    expect(t.screen.text()).toEqual([
      "▶ lab 20260115_093000 · 7 steps",
      "  prepare │ found 4 files in data/01_raw",
      "✓ prepare 0.01s",
      "  histories │ loaded 12 runs from data/01_raw/chip-67",
      "↻ calibration attempt 1/3 failed: laser not ready — retrying in 0.50s",
      "✓ stage-files 1.19s · 4/4 items · 1 failed",
      "✓ histories 1.49s",
      "✓ calibration 1.69s · 2 attempts",
      "⊘ plots skipped: condition is false: params.PLOTS != 'off'",
      "✗ report 0.11s template templates/report.md.j2 not found (after 1 attempt)",
      '■ chip/load 0.12s cancelled: step "report" failed',
    ]);
    expect(t.screen.cursorVisible).toBe(true);
  });

  it("fits every line to the width (cut, never wrapped) and redraws in place after a resize", () => {
    const t = fakeTerminal(60);
    const source = attach(t);
    replayUntil(source, 0, 1000);
    vi.advanceTimersByTime(FRAME);
    for (const line of t.screen.text()) expect(visibleWidth(line)).toBeLessThan(60);
    expect(t.screen.text()).toContain("  histories │ loaded 12 runs from data/01_raw/chip-67");

    t.resize(32);
    const lines = t.screen.text();
    const live = lines.slice(liveStart(lines));
    expect(live).toHaveLength(4);
    for (const line of live) expect(visibleWidth(line)).toBeLessThan(32);
    expect(lines.filter((line) => line.includes(" done · "))).toHaveLength(1); // no stale copy of the live area
  });

  it("cuts long log lines to the width by default; --verbose prints them whole", () => {
    const long = `rows: ${"1234567890".repeat(10)}`;
    const logLine: Recorded = ["stepLog", { pipelineName: "lab", executionId: "x", time: T0 + 30, step: "histories", index: 1, message: long }];
    for (const verbose of [false, true]) {
      const t = fakeTerminal(60);
      const source = attach(t, verbose);
      replayUntil(source, 0, 20);
      source.emit(logLine);
      vi.advanceTimersByTime(FRAME);
      display?.stop();
      const text = t.screen.text().join("\n");
      if (verbose) expect(text).toContain(`histories │ ${long.slice(0, 40)}`);
      if (verbose) expect(text.replace(/\n/g, "")).toContain(long);
      else expect(t.screen.text()).toContain(`  histories │ rows: ${"1234567890".repeat(4).slice(0, 38)}…`); // 59 columns
    }
  });

  it("stays bounded with thousands of steps: the first running ones and a count; success lines per frame capped", () => {
    const t = fakeTerminal(100, 20);
    const source = attach(t);
    const graph = Array.from({ length: 5000 }, (_, i) => ({ name: `s${i}`, dependsOn: [], kind: "step" as const, group: undefined }));
    const base = { pipelineName: "big", executionId: "x", time: T0 };
    source.emit(["pipelineStarted", { ...base, description: undefined, steps: graph.map((n) => n.name), graph, checkpointPath: undefined, resumedFrom: undefined }]);
    for (let i = 0; i < 3000; i++) source.emit(["stepStarted", { ...base, step: `s${i}`, index: i, attempt: 1, maxAttempts: 1 }]);
    for (let i = 0; i < 1000; i++) source.emit(["stepSucceeded", { ...base, step: `s${i}`, index: i, attempts: 1, elapsedTime: 0, output: null }]);
    vi.advanceTimersByTime(FRAME);

    const lines = t.screen.text();
    const live = lines.slice(liveStart(lines));
    expect(live.length).toBeLessThanOrEqual(18);
    expect(live.at(-2)).toBe("  … and 1,984 more running"); // 20 rows: 18 lines, 16 of them steps
    expect(live.at(-1)).toMatch(/^ {2}1,000\/5,000 done · 2,000 running · 2,000 waiting/);
    // A frame prints 25 success lines at most and counts the rest: thousands of fast steps stay cheap to draw.
    expect(lines.filter((line) => line.startsWith("✓ s"))).toHaveLength(25);
    expect(lines).toContain("✓ … and 975 more steps succeeded, the last s999");
  });

  it("prints what others write (console.log, warnings) above the live area, in order, and stderr on stderr", () => {
    const t = fakeTerminal();
    const source = attach(t);
    const next = replayUntil(source, 0, 12);
    t.foreign("plain console.log line\npartial", "out");
    t.foreign("(node) a warning\n", "err");
    replayUntil(source, next, 20);
    vi.advanceTimersByTime(FRAME);

    const lines = t.screen.text();
    expect(t.errors.join("")).toBe("(node) a warning\n");
    expect(lines.indexOf("plain console.log line")).toBeLessThan(lines.indexOf("  histories │ loaded 12 runs from data/01_raw/chip-67"));
    expect(lines).toContain("partial");
    expect(lines.filter((line) => line.includes(" done · "))).toHaveLength(1);
  });

  it("writes a notice (Ctrl-C) between frames without leaving a stale live area", () => {
    const t = fakeTerminal();
    const source = attach(t);
    replayUntil(source, 0, 20);
    vi.advanceTimersByTime(FRAME);
    display?.notice("\nSIGINT: stopping (press Ctrl-C again to quit at once)\n");
    vi.advanceTimersByTime(FRAME);

    const lines = t.screen.text();
    expect(lines).toContain("SIGINT: stopping (press Ctrl-C again to quit at once)");
    expect(liveStart(lines)).toBeGreaterThan(lines.indexOf("SIGINT: stopping (press Ctrl-C again to quit at once)"));
    expect(lines.filter((line) => line.includes(" done · "))).toHaveLength(1);
  });

  it("gives the cursor back and clears the live area if the process exits while live (a second Ctrl-C)", () => {
    const t = fakeTerminal();
    const source = attach(t);
    replayUntil(source, 0, 20);
    vi.advanceTimersByTime(FRAME);
    expect(t.screen.cursorVisible).toBe(false);
    t.exit();
    expect(t.screen.cursorVisible).toBe(true);
    expect(t.screen.text().some((line) => SPINNING.test(line))).toBe(false);
  });

  it("cuts coloured lines without leaving the colour on", () => {
    const t = fakeTerminal(30, 30, true);
    const source = attach(t);
    replayUntil(source, 0, 1000);
    vi.advanceTimersByTime(FRAME);
    const frame = t.writes.at(-1)!;
    for (const line of frame.split("\n").filter((l) => l.includes("…"))) expect(line.endsWith("\u001b[0m")).toBe(true);
  });
});
