/**
 * Pipewright engine benchmark (`npm run bench`): no-op pipelines of 1,000 / 10,000 / 100,000 steps,
 * with and without checkpoints, against a bare `for ... await fn(args, ctx)` loop over the same
 * functions; 3,000 checkpointed steps (the original tool took 35 s); fsyncs per step; resuming a
 * 10,000-step execution whose steps all succeeded; peak memory for 100,000 steps.
 *
 * 1,000 and 10,000 steps run in this process; 100,000 steps run in a child process
 * (`memory-child.ts`), so that its peak RSS is its own. Prints a plain-text report with a PASS/FAIL
 * line per target, then the same figures as Markdown between `--- markdown ---` lines. Exits 0 even
 * when a target fails: it is a report.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { arch, cpus, loadavg, platform, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command, Pipeline, PipelineResult } from "pipewright";
import { RESULT_PREFIX, type BareChildReport, type ChildReport, type EngineChildReport } from "./child-report.js";
import { markdownTable, num, progress, targetLines, targetsMarkdown, textTable, timeAlternating, timeIt, type Case, type Check, type Timing, closingLines } from "./measure.js";
import {
  assertSucceeded,
  fsyncLatency,
  bareLoop,
  buildPipeline,
  calls,
  countedNoop,
  countingFileSystem,
  durableLoop,
  removeExecution,
  snapshotMb,
  stepFunctions,
  type SyncCounts,
} from "./workload.js";

/** The Python original, as the issue measured it. */
const ORIGINAL = { usPerStep: 370, checkpointed3000Seconds: 35 };
const TARGET = { usPerStep: 20, growth: 12, fsyncsPerStep: 1, checkpointed3000Seconds: 1.5, resumeMs: 200, peakRssMb: 300 };
const LARGE = 100_000;

const usPerStep = (ms: number, steps: number) => (ms * 1000) / steps;
const fsyncsOf = (c: SyncCounts) => c.sync + c.datasync;

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CHILD = join(ROOT, "bench", "memory-child.ts");

/** Everything measured at one size. Times in ms (medians of `Timing.runs`). */
interface SizeFigures {
  steps: number;
  buildMs: number;
  bare: Timing;
  engine: Timing;
  checkpointed: Timing;
  /** Bare loop + one journal-sized write and one datasync per step, in µs per step. */
  floorUsPerStep: number;
  /** How the floor was measured. */
  floorRuns: string;
  /** fsyncs and writes of one checkpointed execution. */
  counts: SyncCounts;
  snapshotMb: number;
}

interface ResumeFigures {
  /** Resumes with only the execution resumed in the directory. */
  clean: Timing;
  /** One resume with `piled` earlier executions of the pipeline in the directory. */
  piledUp: number;
  piled: number;
  /** Steps that ran again (calls of the command), and steps not reported as resumed. Both must be 0. */
  stepsRerun: number;
  stepsNotResumed: number;
}

// ---------------------------------------------------------------------------------------------
// Measurements


/** A checkpointed execution of `pipeline`, counting its fsyncs; `report` gets the counts and the snapshot size. */
function checkpointedCase(
  pipeline: Pipeline,
  steps: number,
  report: (counts: SyncCounts, snapshotMb: number) => void,
): Case<PipelineResult> {
  const { fileSystem, counts, reset } = countingFileSystem();
  return {
    body: () => {
      reset();
      return pipeline.execute({ fileSystem });
    },
    after: async (result) => {
      assertSucceeded(result, steps);
      report({ ...counts }, await snapshotMb(result));
      await removeExecution(result);
    },
  };
}

/** The durable floor: the bare loop plus one journal-sized write and one datasync per step. */
function floorCase(fns: readonly Command[], dir: string, steps: number): Case<void> {
  return { body: () => durableLoop(fns, join(dir, `floor-${steps}.journal`)) };
}

async function measureSize(steps: number, dir: string, fastRuns: number, slowRuns: number, warmup: number): Promise<SizeFigures> {
  const label = `${num(steps)} steps`;
  progress(`${label}: building the pipeline`);
  const { pipeline, buildMs } = buildPipeline(`bench-${steps}`, dir, steps);
  const fns = stepFunctions(steps);

  progress(`${label}: bare loop and engine without checkpoints (median of ${fastRuns})`);
  const bare = await timeIt(() => bareLoop(fns), { runs: fastRuns, warmup });
  const engine = await timeIt(() => pipeline.execute({ checkpoint: false }), {
    runs: fastRuns,
    warmup,
    after: (result) => assertSucceeded(result, steps),
  });

  progress(`${label}: engine with checkpoints, in turns with the durable floor (median of ${slowRuns} each)`);
  let perExecution: SyncCounts = { sync: 0, datasync: 0, writes: 0 };
  let snapshot = NaN;
  const checkpointedRun = checkpointedCase(pipeline, steps, (counts, size) => {
    perExecution = counts;
    snapshot = size;
  });
  const [checkpointed, floor] = await timeAlternating(checkpointedRun, floorCase(fns, dir, steps), slowRuns);
  return {
    steps,
    buildMs,
    bare,
    engine,
    checkpointed,
    floorUsPerStep: usPerStep(floor.median, steps),
    floorRuns: `median of ${floor.runs.length}, in turns`,
    counts: perExecution,
    snapshotMb: snapshot,
  };
}

async function measureCheckpointed3000(dir: string): Promise<{ timing: Timing; floor: Timing; counts: SyncCounts }> {
  const steps = 3_000;
  progress(`${num(steps)} checkpointed steps, in turns with the durable floor (median of 5 each)`);
  const { pipeline } = buildPipeline(`bench-${steps}`, dir, steps);
  let counts: SyncCounts = { sync: 0, datasync: 0, writes: 0 };
  const run = checkpointedCase(pipeline, steps, (perExecution) => (counts = perExecution));
  const [timing, floor] = await timeAlternating(run, floorCase(stepFunctions(steps), dir, steps), 5);
  return { timing, floor, counts };
}

async function measureResume(dir: string): Promise<ResumeFigures> {
  const steps = 10_000;
  progress("resume: warming the resume path up on 1,000 steps");
  const { pipeline: small } = buildPipeline("resume-warmup", join(dir, "resume-warmup"), 1_000, countedNoop);
  assertSucceeded(await small.execute(), 1_000);
  await timeIt(() => small.execute({ resumeFrom: "latest" }), { runs: 0, warmup: 3, after: removeExecution });

  progress(`resume: a ${num(steps)}-step execution that succeeded, resumed from "latest" (median of 5)`);
  const { pipeline } = buildPipeline("resume", join(dir, "resume"), steps, countedNoop);
  const original = await pipeline.execute();
  assertSucceeded(original, steps);
  const callsBefore = calls.count;
  let stepsNotResumed = 0;
  const check = (result: PipelineResult) => {
    assertSucceeded(result, steps);
    if (result.resumedFrom === undefined) throw new Error("The resume found nothing to resume");
    stepsNotResumed += result.steps.filter((s) => s.resumedFrom === undefined).length;
  };
  const clean = await timeIt(() => pipeline.execute({ resumeFrom: "latest" }), {
    runs: 5,
    warmup: 0,
    after: async (result) => {
      check(result);
      if (result.resumedFrom !== original.executionId) throw new Error("Resumed the wrong execution");
      await removeExecution(result); // the directory holds the original execution alone again
    },
  });

  const piled = 10;
  progress(`resume: once more with ${piled} earlier executions of the pipeline in the directory`);
  for (let i = 1; i < piled; i++) check(await pipeline.execute({ resumeFrom: "latest" }));
  const start = performance.now();
  const last = await pipeline.execute({ resumeFrom: "latest" });
  const piledUp = performance.now() - start;
  check(last);
  return { clean, piledUp, piled, stepsRerun: calls.count - callsBefore, stepsNotResumed };
}

/** Runs `memory-child.ts` in a fresh node process and returns its report. */
function runChild(args: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => (stdout += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) {
        reject(new Error(`memory-child.ts ${args.join(" ")} exited with ${code}:\n${stdout}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildReport);
    });
  });
}

async function measureLarge(dir: string): Promise<{ bareChild: BareChildReport; engineChild: EngineChildReport }> {
  progress(`${num(LARGE)} steps, bare loop, in a child process (memory baseline)`);
  const bareChild = await runChild(["bare", String(LARGE)]);
  progress(`${num(LARGE)} steps, engine, in a child process`);
  const engineChild = await runChild(["engine", String(LARGE), join(dir, "large")]);
  if (bareChild.mode !== "bare" || engineChild.mode !== "engine") throw new Error("Unexpected child report");
  return { bareChild, engineChild };
}

// ---------------------------------------------------------------------------------------------
// Report



async function main(): Promise<void> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), "pipewright-bench-"));
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log("Pipewright engine benchmark");
  console.log(`Node ${process.version}, ${platform()} ${arch()}, ${cpus().length} × ${cpu}`);
  console.log(`Checkpoints in ${dir} (removed at the end)`);
  const loadAtStart = loadavg()[0] ?? 0;
  console.log(`Load average (1 min) at start: ${num(loadAtStart, 2)}`);
  console.log("");

  let sizes: SizeFigures[];
  let fsync: Timing;
  let run3000: { timing: Timing; floor: Timing; counts: SyncCounts };
  let resume: ResumeFigures;
  let large: { bareChild: BareChildReport; engineChild: EngineChildReport };
  try {
    await mkdir(dir, { recursive: true });
    fsync = await fsyncLatency(dir);
    sizes = [await measureSize(1_000, dir, 31, 5, 10), await measureSize(10_000, dir, 11, 3, 3)];
    run3000 = await measureCheckpointed3000(dir);
    resume = await measureResume(dir);
    large = await measureLarge(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const { bareChild, engineChild } = large;
  sizes.push({
    steps: engineChild.steps,
    buildMs: engineChild.buildMs,
    bare: engineChild.bare,
    engine: engineChild.engine,
    checkpointed: engineChild.checkpointed,
    floorUsPerStep: engineChild.floorUsPerStep,
    floorRuns: "10k steps, before+after",
    counts: engineChild.counts,
    snapshotMb: engineChild.snapshotMb,
  });
  const at = (steps: number): SizeFigures => {
    const figures = sizes.find((s) => s.steps === steps);
    if (!figures) throw new Error(`No figures for ${steps} steps`);
    return figures;
  };
  const [s1k, s10k, s100k] = [at(1_000), at(10_000), at(LARGE)];

  // --- without checkpoints
  const runsNote = (t: Timing) => (t.runs.length === 1 ? "1 run" : `median of ${t.runs.length}`);
  const noCheckpointRows = sizes.map((s) => {
    const bare = usPerStep(s.bare.median, s.steps);
    const engine = usPerStep(s.engine.median, s.steps);
    return [
      num(s.steps),
      num(bare, 2),
      num(engine, 2),
      num(engine - bare, 2),
      `${num(engine / bare, 0)}×`,
      num(s.engine.median, 1),
      `${num(ORIGINAL.usPerStep / engine, 0)}×`,
      runsNote(s.engine),
    ];
  });
  const noCheckpointHeaders = [
    "steps",
    "bare µs/step",
    "engine µs/step",
    "overhead µs/step",
    "engine/bare",
    "engine total ms",
    "vs original",
    "runs",
  ];

  // --- with checkpoints
  const checkpointRows = sizes.map((s) => {
    const engine = usPerStep(s.checkpointed.median, s.steps);
    return [
      num(s.steps),
      num(engine, 1),
      num(s.floorUsPerStep, 1),
      num(engine - s.floorUsPerStep, 1),
      num(s.checkpointed.median / 1000, 3),
      `${num(fsyncsOf(s.counts))} (${num(s.counts.datasync)}+${num(s.counts.sync)})`,
      num(fsyncsOf(s.counts) / s.steps, 4),
      num(s.counts.writes / s.steps, 2),
      num(s.snapshotMb, 1),
      runsNote(s.checkpointed),
      s.floorRuns,
    ];
  });
  const checkpointHeaders = [
    "steps",
    "engine µs/step",
    "floor µs/step",
    "engine−floor",
    "total s",
    "fsyncs (datasync+sync)",
    "fsyncs/step",
    "writes/step",
    "snapshot MB",
    "runs",
    "floor runs",
  ];

  // --- growth (10× the steps)
  const growth = (pick: (s: SizeFigures) => number) => [pick(s10k) / pick(s1k), pick(s100k) / pick(s10k)] as const;
  const growthRows: Array<[string, readonly [number, number]]> = [
    ["bare loop", growth((s) => s.bare.median)],
    ["engine, no checkpoints", growth((s) => s.engine.median)],
    ["engine, checkpoints", growth((s) => s.checkpointed.median)],
    ["building (addStep)", growth((s) => s.buildMs)],
  ];
  const growthTable = growthRows.map(([name, [a, b]]) => [name, `${num(a, 2)}×`, `${num(b, 2)}×`]);
  const growthHeaders = ["time of", "t(10k)/t(1k)", "t(100k)/t(10k)"];
  const buildRows = sizes.map((s) => [num(s.steps), num(s.buildMs, 0), num(usPerStep(s.buildMs, s.steps), 1)]);

  // --- fsyncs: marginal fsyncs per extra step (the slope), and the fixed cost of an execution
  const slope1 = (fsyncsOf(s10k.counts) - fsyncsOf(s1k.counts)) / (s10k.steps - s1k.steps);
  const slope2 = (fsyncsOf(s100k.counts) - fsyncsOf(s10k.counts)) / (s100k.steps - s10k.steps);
  const fixedFsyncs = fsyncsOf(s1k.counts) - slope1 * s1k.steps;

  const seconds3000 = run3000.timing.median / 1000;
  const memory = {
    bare: bareChild.peakRssMb,
    built: engineChild.rssAfterBuildMb,
    noCheckpoint: engineChild.rssNoCheckpointMb,
    checkpoint: engineChild.rssCheckpointMb,
  };
  const peak = Math.max(memory.noCheckpoint, memory.checkpoint);
  const worstEngineUs = Math.max(...sizes.map((s) => usPerStep(s.engine.median, s.steps)));
  const [growthA, growthB] = growth((s) => s.checkpointed.median);

  const checks: Check[] = [
    {
      target: "engine without checkpoints, µs/step (worst of 1k/10k/100k)",
      goal: `≤ ${TARGET.usPerStep}`,
      measured: `${num(worstEngineUs, 2)} (${sizes.map((s) => num(usPerStep(s.engine.median, s.steps), 2)).join(" / ")})`,
      ok: worstEngineUs <= TARGET.usPerStep,
    },
    {
      target: "checkpointed growth t(10k)/t(1k)",
      goal: `≤ ${TARGET.growth}×`,
      measured: `${num(growthA, 2)}×`,
      ok: growthA <= TARGET.growth,
    },
    {
      target: "checkpointed growth t(100k)/t(10k)",
      goal: `≤ ${TARGET.growth}×`,
      measured: `${num(growthB, 2)}×`,
      ok: growthB <= TARGET.growth,
    },
    {
      target: "fsyncs per additional step (1k→10k, 10k→100k)",
      goal: `≤ ${TARGET.fsyncsPerStep}`,
      measured: `${num(slope1, 4)}, ${num(slope2, 4)} (+${num(fixedFsyncs, 0)} per execution)`,
      ok: slope1 <= TARGET.fsyncsPerStep && slope2 <= TARGET.fsyncsPerStep,
    },
    {
      target: "3,000 checkpointed steps, s",
      goal: `≤ ${TARGET.checkpointed3000Seconds}`,
      measured: `${num(seconds3000, 3)} (original ${ORIGINAL.checkpointed3000Seconds} s → ${num(ORIGINAL.checkpointed3000Seconds / seconds3000, 0)}× faster)`,
      ok: seconds3000 <= TARGET.checkpointed3000Seconds,
    },
    {
      target: "resume 10k all-succeeded steps, ms (none run again)",
      goal: `< ${TARGET.resumeMs}`,
      measured: `${num(resume.clean.median, 1)}; re-run ${resume.stepsRerun}, not resumed ${resume.stepsNotResumed}`,
      ok: resume.clean.median < TARGET.resumeMs && resume.stepsRerun === 0 && resume.stepsNotResumed === 0,
    },
    {
      target: "peak RSS, 100k steps, MB",
      goal: `< ${TARGET.peakRssMb}`,
      measured: `${num(peak, 0)} (bare loop ${num(memory.bare, 0)})`,
      ok: peak < TARGET.peakRssMb,
    },
  ];

  // ------------------------------------------------------------------------------------------
  const out: string[] = [];
  const section = (title: string, body: string) => out.push(title, body, "");
  section(
    "Disk",
    `write + datasync of a 400-byte line: median ${num(fsync.median, 0)} µs (min ${num(fsync.min, 0)}, max ${num(fsync.max, 0)}, ${fsync.runs.length} samples)`,
  );
  section("Without checkpoints (no-op steps; overhead = engine − bare loop)", textTable(noCheckpointHeaders, noCheckpointRows));
  section(
    "With checkpoints (floor = bare loop + one write + datasync per step on the same disk)",
    textTable(checkpointHeaders, checkpointRows),
  );
  section("Growth for 10× the steps", textTable(growthHeaders, growthTable));
  section("Building the pipeline (new Pipeline + addStep per step)", textTable(["steps", "total ms", "µs/step"], buildRows));
  section(
    "3,000 checkpointed steps",
    [
      `median ${num(seconds3000, 3)} s of ${run3000.timing.runs.map((r) => num(r / 1000, 3)).join(", ")} s` +
        ` — original: ${ORIGINAL.checkpointed3000Seconds} s, ${num(ORIGINAL.checkpointed3000Seconds / seconds3000, 0)}× faster`,
      `durable floor (bare loop + write + datasync per step), in turns with it: median ${num(run3000.floor.median / 1000, 3)} s of ${run3000.floor.runs.map((r) => num(r / 1000, 3)).join(", ")} s`,
      `fsyncs: ${num(fsyncsOf(run3000.counts))} (${num(run3000.counts.datasync)} datasync + ${num(run3000.counts.sync)} sync), writes: ${num(run3000.counts.writes)}`,
    ].join("\n"),
  );
  section(
    "Resume of a 10,000-step execution whose steps all succeeded",
    [
      `median ${num(resume.clean.median, 1)} ms (min ${num(resume.clean.min, 1)}, max ${num(resume.clean.max, 1)}, ${resume.clean.runs.length} runs), one execution in the directory`,
      `${num(resume.piledUp, 1)} ms with ${resume.piled} earlier executions of the pipeline in the directory`,
      `steps run again: ${resume.stepsRerun}; steps not reported as resumed: ${resume.stepsNotResumed}`,
    ].join("\n"),
  );
  section(
    `Peak RSS, ${num(LARGE)} steps (child processes)`,
    textTable(
      ["process", "peak RSS MB"],
      [
        ["bare loop", num(memory.bare, 0)],
        ["engine: pipeline built", num(memory.built, 0)],
        ["engine: + one execution without checkpoints", num(memory.noCheckpoint, 0)],
        ["engine: + one execution with checkpoints", num(memory.checkpoint, 0)],
      ],
    ),
  );
  section(
    "Targets",
    targetLines(checks),
  );
  out.push(...closingLines(loadAtStart, checks, started));

  // --- markdown
  const md = [
    `Node ${process.version}, ${platform()} ${arch()}, ${cpus().length} × ${cpu}; fsync ≈ ${num(fsync.median, 0)} µs;` +
      ` load average ${num(loadAtStart, 1)}. No-op steps; µs per step; 100,000 steps in a child process.`,
    "",
    markdownTable(
      ["Steps", "Bare loop", "Engine, no checkpoints", "Overhead", "Engine, checkpoints", "fsyncs/step", "Build (addStep)"],
      sizes.map((s) => [
        num(s.steps),
        num(usPerStep(s.bare.median, s.steps), 2),
        num(usPerStep(s.engine.median, s.steps), 2),
        num(usPerStep(s.engine.median - s.bare.median, s.steps), 2),
        num(usPerStep(s.checkpointed.median, s.steps), 1),
        num(fsyncsOf(s.counts) / s.steps, 3),
        num(usPerStep(s.buildMs, s.steps), 1),
      ]),
    ),
    "",
    targetsMarkdown(checks),
  ];
  out.push("--- markdown ---", ...md, "--- markdown ---");
  console.log(out.join("\n"));
}

await main();
