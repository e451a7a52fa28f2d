import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import pc from "picocolors";
import { describe, expect, it } from "vitest";
import { attachJsonRenderer } from "../src/json-renderer.js";
import type { Output, Terminal } from "../src/output.js";
import { attachPlainRenderer } from "../src/plain-renderer.js";
import { attachRenderer, displayMode } from "../src/renderer.js";
import { formatSummary, formatVerdict } from "../src/summary.js";
import { Replay, RESULT, STREAM, type Recorded } from "./fixtures/display/recorded-stream.js";
import { COMMANDS, fixture, runCli, tempDir } from "./helpers.js";

const NO_COLOR = pc.createColors(false);
const utcTime = (time: number) => new Date(time).toISOString().slice(11, 23);

/** An Output that records what is written. */
function recording(terminal?: Terminal): Output & { written: { out: string; err: string } } {
  const written = { out: "", err: "" };
  return { out: (t) => (written.out += t), err: (t) => (written.err += t), colors: NO_COLOR, terminal, written };
}

function tty(columns: number | undefined): Terminal {
  return { isTTY: true, columns, rows: 30, onResize: () => () => {} };
}

describe("the plain renderer (a line per event: files, pipes, CI)", () => {
  it("prints the recorded run line by line with timestamps: parallel steps, retry, map progress by tenths, skip, failure, cancel", () => {
    const source = new Replay();
    const output = recording();
    attachPlainRenderer(source, output, { formatTime: utcTime });
    source.replay(STREAM);

    expect(output.written.out.split("\n")).toEqual([
      "09:30:00.000 ▶ lab 20260115_093000 · 7 steps",
      "09:30:00.000 → prepare",
      "09:30:00.005   prepare │ found 4 files in data/01_raw",
      "09:30:00.010 ✓ prepare 0.01s",
      "09:30:00.012 → histories",
      "09:30:00.012 → calibration (attempt 1/3)",
      "09:30:00.012 → stage-files (attempt 1/2)",
      "09:30:00.012   stage-files │ 0/4",
      "09:30:00.020   histories │ loaded 12 runs from data/01_raw/chip-67",
      "09:30:00.300   stage-files │ 1/4",
      "09:30:00.400 ↻ calibration failed: laser not ready — attempt 2 in 0.50s",
      "09:30:00.600   stage-files │ 2/4 (1 failed)",
      "09:30:00.900 → calibration (attempt 2/3)",
      "09:30:01.000   stage-files │ 3/4 (1 failed)",
      "09:30:01.200   stage-files │ 4/4 (1 failed)",
      "09:30:01.200 ✓ stage-files 1.19s · 4/4 items · 1 failed",
      "09:30:01.500 ✓ histories 1.49s",
      "09:30:01.700 ✓ calibration 1.69s",
      "09:30:01.700 ⊘ plots skipped: condition is false: params.PLOTS != 'off'",
      "09:30:01.710 → chip/load",
      "09:30:01.710 → report",
      "09:30:01.820 ✗ report template templates/report.md.j2 not found after 1 attempt",
      '09:30:01.825 ■ chip/load cancelled: step "report" failed 0.12s',
      "",
    ]);
  });

  it("prints a map step's progress at most every tenth of the way, however many items report", () => {
    const source = new Replay();
    const output = recording();
    attachPlainRenderer(source, output, { formatTime: utcTime });
    const progress = (done: number): Recorded => ["stepProgress", { pipelineName: "p", executionId: "x", time: 0, step: "m", index: 0, done, total: 1000, failed: 0 }];
    for (let done = 0; done <= 1000; done++) source.emit(progress(done));

    const lines = output.written.out.trimEnd().split("\n");
    expect(lines).toHaveLength(11);
    expect(lines.map((line) => line.split("│ ")[1])).toEqual(["0/1,000", "100/1,000", "200/1,000", "300/1,000", "400/1,000", "500/1,000", "600/1,000", "700/1,000", "800/1,000", "900/1,000", "1,000/1,000"]);
  });

  it("stops listening when asked", () => {
    const source = new Replay();
    const stop = attachPlainRenderer(source, recording());
    expect(source.listenerCount).toBeGreaterThan(0);
    stop();
    expect(source.listenerCount).toBe(0);
  });
});

describe("the JSON renderer (--json)", () => {
  it("writes every event as one JSON object per line, {event, ...payload}, and nothing else", () => {
    const source = new Replay();
    const output = recording();
    attachJsonRenderer(source, output);
    source.replay(STREAM);

    const lines = output.written.out.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(STREAM.length);
    lines.forEach((line, i) => {
      const [event, payload] = STREAM[i]!;
      expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify({ event, ...payload })));
    });
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: "pipelineStarted", pipelineName: "lab", graph: [{ name: "prepare", kind: "step" }, {}, {}, { name: "stage-files", kind: "map", group: "analyses" }, {}, {}, {}] });
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ event: "pipelineFinished", status: "failed", result: { failedSteps: 1 } });
    expect(output.written.err).toBe("");
  });
});

describe("the summary", () => {
  it("lists every step (nested names, cancelled, skipped) with map items, then the verdict, time and checkpoint", () => {
    const notes = new Map([["stage-files", "4/4 items · 1 failed"]]);
    expect(formatSummary(RESULT, NO_COLOR, notes).split("\n")).toEqual([
      "",
      "  step         status        attempts  duration",
      "  prepare      ✓ success           1     0.01s",
      "  histories    ✓ success           1     1.49s",
      "  calibration  ✓ success           2     1.69s",
      "  stage-files  ✓ success           1     1.19s  4/4 items · 1 failed",
      "  plots        ⊘ skipped           0     0.00s",
      "  chip/load    ■ cancelled         1     0.12s",
      "  report       ✗ failed            1     0.01s",
      "",
      "✗ failed lab in 1.83s — 4 ok · 1 failed · 1 skipped · 1 cancelled",
      "Checkpoint: data/.pipeline_checkpoints/lab_20260115_093000.json",
      "",
    ]);
    expect(formatVerdict(RESULT, NO_COLOR)).toBe("✗ failed lab in 1.83s — 4 ok · 1 failed · 1 skipped · 1 cancelled");
  });
});

describe("choosing the display", () => {
  it("is live only on a terminal of known width, outside CI; --json and --quiet win", () => {
    const mode = (terminal: Terminal | undefined, env: NodeJS.ProcessEnv = {}, options = {}) => displayMode(options, recording(terminal), env);
    expect(mode(tty(100))).toBe("live");
    expect(mode(undefined)).toBe("plain");
    expect(mode({ ...tty(100), isTTY: false })).toBe("plain");
    expect(mode(tty(0))).toBe("plain");
    expect(mode(tty(undefined))).toBe("plain");
    expect(mode(tty(100), { CI: "true" })).toBe("plain");
    expect(mode(tty(100), { CI: "1" })).toBe("plain");
    expect(mode(tty(100), { CI: "false" })).toBe("live");
    expect(mode(tty(100), { TERM: "dumb" })).toBe("plain");
    expect(mode(tty(100), {}, { json: true })).toBe("json");
    expect(mode(tty(100), {}, { quiet: true })).toBe("quiet");
    expect(mode(undefined, {}, { json: true, quiet: true })).toBe("json");
  });

  it("plain mode ends with the summary table, with a map step's items in it", () => {
    const source = new Replay();
    const output = recording();
    const renderer = attachRenderer(source, output, {}, {});
    source.replay(STREAM);
    renderer.finish(RESULT);
    expect(renderer.mode).toBe("plain");
    expect(output.written.out).toMatch(/^ +stage-files +✓ success +1 +1\.19s {2}4\/4 items · 1 failed$/m);
    expect(output.written.out).toContain("✗ failed lab in 1.83s");
    expect(source.listenerCount).toBe(0);
  });

  it("--json keeps stdout for events: what commands print themselves goes to stderr until the end", () => {
    const source = new Replay();
    let intercepting: ((text: string, stream: "out" | "err") => void) | undefined;
    const output = recording({ ...tty(100), interceptWrites: (onWrite) => ((intercepting = onWrite), () => (intercepting = undefined)) });
    const renderer = attachRenderer(source, output, { json: true }, {});
    source.replay(STREAM.slice(0, 3));
    intercepting?.("console.log from a command\n", "out");
    source.replay(STREAM.slice(3));
    renderer.finish(RESULT);

    expect(output.written.out.trimEnd().split("\n").every((line) => line.startsWith('{"event":'))).toBe(true);
    expect(output.written.err).toMatch(/^console\.log from a command\n\n {2}step +status/);
    expect(intercepting).toBeUndefined();
  });

  it("quiet mode prints the verdict line alone", () => {
    const source = new Replay();
    const output = recording(tty(100));
    const renderer = attachRenderer(source, output, { quiet: true }, {});
    source.replay(STREAM);
    renderer.finish(RESULT);
    expect(output.written.out).toBe("✗ failed lab in 1.83s — 4 ok · 1 failed · 1 skipped · 1 cancelled\n");
    expect(output.written.err).toBe("");
  });
});

describe("pipewright run --json / --quiet (the real command)", () => {
  async function twoSteps(markerExists: boolean) {
    const dir = await tempDir();
    const marker = join(dir, "marker");
    if (markerExists) await writeFile(marker, "");
    return ["run", fixture("two-steps.yml"), "-r", COMMANDS, "-p", `LOG=${join(dir, "log.txt")}`, "-p", `MARKER=${marker}`, "--checkpoint-dir", join(dir, "cp")];
  }

  it("--json: stdout is JSON lines only, from pipelineStarted to pipelineFinished; the summary and errors go to stderr", async () => {
    const { code, out, err } = await runCli([...(await twoSteps(false)), "--json"]);

    expect(code).toBe(1);
    const events = out.trimEnd().split("\n").map((line) => JSON.parse(line) as { event: string; step?: string });
    expect(events[0]?.event).toBe("pipelineStarted");
    expect(events.at(-1)?.event).toBe("pipelineFinished");
    expect(events.filter((e) => e.step === "first").map((e) => e.event)).toEqual(["stepStarted", "stepLog", "stepSucceeded", "stepCompleted"]);
    expect(events.filter((e) => e.step === "second").map((e) => e.event)).toEqual(["stepStarted", "stepFailed", "stepCompleted"]);
    expect(err).toContain("✗ failed cli-two-steps");
    expect(err).toContain("Step second failed: marker file");
    expect(err).toContain("Resume with: ");
  });

  it("--quiet: only the verdict on stdout; a failure adds its error and the resume command on stderr", async () => {
    const ok = await runCli([...(await twoSteps(true)), "--quiet"]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^✓ succeeded cli-two-steps in \d+\.\d\ds — 2 ok · 0 failed · 0 skipped\n$/);
    expect(ok.err).toBe("");

    const failed = await runCli([...(await twoSteps(false)), "-q"]);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/^✗ failed cli-two-steps in .*\n$/);
    expect(failed.err).toMatch(/^Step second failed: marker file .* is missing\nResume with: pipewright run .* --resume \d{8}_\d{6}\n$/);
  });
});
