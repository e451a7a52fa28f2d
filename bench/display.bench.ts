/**
 * Display benchmark (last part of `npm run bench`): does the live display slow the engine down?
 *
 * A 10,000-step no-op pipeline, checkpoints off, run with no display and with the live renderer
 * attached to a fake terminal (a discarding stream that says it is a 120-column TTY), in turns
 * (`timeAlternating`), medians compared; target ≤ 1.2×. The plain log and the JSON lines to a
 * discarding stream are measured too, for information. Prints a plain-text report with a PASS/FAIL
 * line, then the same figures as Markdown between `--- markdown ---` lines. Exits 0 even when the
 * target fails: it is a report.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { arch, cpus, loadavg, platform, tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pc from "picocolors";
import type { Pipeline, PipelineResult } from "pipewright";
import { attachJsonRenderer } from "../packages/cli/src/json-renderer.js";
import { attachLiveRenderer } from "../packages/cli/src/live-renderer.js";
import { streamTerminal, type Output, type Terminal } from "../packages/cli/src/output.js";
import { attachPlainRenderer } from "../packages/cli/src/plain-renderer.js";
import { markdownTable, num, progress, targetLines, targetsMarkdown, textTable, timeAlternating, type Case, type Check, type Timing } from "./measure.js";
import { assertSucceeded, buildPipeline } from "./workload.js";

const STEPS = 10_000;
const RUNS = 15;
const TARGET_RATIO = 1.2;

/** A terminal that discards what it is given, counting writes and bytes: what the display costs, not the screen. */
function fakeTerminal(columns: number): { output: Output & { terminal: Terminal }; counts: { writes: number; bytes: number } } {
  const counts = { writes: 0, bytes: 0 };
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      counts.bytes += chunk.length;
      callback();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns, rows: 40 });
  const output = {
    out: (text: string) => {
      counts.writes++;
      stream.write(text);
    },
    err: () => {},
    colors: pc.createColors(true),
    terminal: streamTerminal(stream),
  };
  return { output, counts };
}

/** Runs the pipeline with `attach` listening (attached before, detached after: as the CLI does). */
function withDisplay(pipeline: Pipeline, attach: () => () => void): Case<PipelineResult> {
  return {
    body: async () => {
      const detach = attach();
      try {
        return await pipeline.execute({ checkpoint: false });
      } finally {
        detach();
      }
    },
    after: (result) => assertSucceeded(result, STEPS),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), "pipewright-display-bench-"));
  const loadAtStart = loadavg()[0] ?? 0;
  try {
    const { pipeline } = buildPipeline("display-bench", dir, STEPS);
    const bare: Case<PipelineResult> = withDisplay(pipeline, () => () => {});
    const live = fakeTerminal(120);
    const plain = fakeTerminal(120);
    const json = fakeTerminal(120);

    progress(`${num(STEPS)} no-op steps: no display vs the live display (median of ${RUNS} each, in turns)`);
    const [none, withLive] = await timeAlternating(bare, withDisplay(pipeline, () => {
      const display = attachLiveRenderer(pipeline, live.output);
      return () => display.stop();
    }), RUNS, 2);
    const liveWrites = live.counts.writes / (RUNS + 2);
    progress(`${num(STEPS)} no-op steps: no display vs the plain log and JSON lines (median of ${RUNS} each, in turns)`);
    const [none2, withPlain] = await timeAlternating(bare, withDisplay(pipeline, () => attachPlainRenderer(pipeline, plain.output)), RUNS, 1);
    const [none3, withJson] = await timeAlternating(bare, withDisplay(pipeline, () => attachJsonRenderer(pipeline, json.output)), RUNS, 1);

    const ratio = withLive.median / none.median;
    const rows: Array<[string, Timing, Timing]> = [
      ["live display (fake 120-column TTY)", none, withLive],
      ["plain log (discarded)", none2, withPlain],
      ["JSON lines (discarded)", none3, withJson],
    ];
    const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
    const loadAtEnd = loadavg()[0] ?? 0;
    const ok = ratio <= TARGET_RATIO;
    const check: Check = { target: "live display vs no display", goal: `≤ ${TARGET_RATIO}×`, measured: `${num(ratio, 2)}×`, ok };
    const out = [
      "Pipewright display benchmark",
      `Node ${process.version}, ${platform()} ${arch()}, ${cpus().length} × ${cpu}`,
      "",
      `${num(STEPS)}-step no-op pipeline, checkpoints off; medians of ${RUNS} runs, each display in turns with no display`,
      textTable(
        ["display", "no display", "with it", "ratio"],
        rows.map(([name, base, shown]) => [name, `${num(base.median, 1)} ms`, `${num(shown.median, 1)} ms`, `${num(shown.median / base.median, 2)}×`]),
      ),
      `live display: ${num(liveWrites, 1)} writes per run (one per frame), ${num(live.counts.bytes / (RUNS + 2) / 1024, 0)} KiB per run`,
      "",
      targetLines([check]),
      `Load average (1 min): ${num(loadAtStart, 2)} at start, ${num(loadAtEnd, 2)} at the end, on ${cpus().length} CPUs.` +
        (Math.max(loadAtStart, loadAtEnd) > cpus().length / 2 ? " WARNING: other processes were busy; the timings are noisy." : ""),
      ok ? "All targets met." : "!!! 1 target FAILED !!!",
      `Benchmark took ${num((performance.now() - started) / 1000, 0)} s.`,
      "",
      "--- markdown ---",
      markdownTable(
        ["Display (10,000 no-op steps, checkpoints off)", "No display", "With it", "Ratio"],
        rows.map(([name, base, shown]) => [name, `${num(base.median, 1)} ms`, `${num(shown.median, 1)} ms`, `${num(shown.median / base.median, 2)}×`]),
      ),
      "",
      targetsMarkdown([check]),
      "--- markdown ---",
    ];
    console.log(out.join("\n"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
