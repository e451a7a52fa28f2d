/**
 * The 100,000-step cases, each in a process of its own so that its peak RSS is its own:
 *
 *   node --import tsx bench/memory-child.ts bare   <steps>
 *   node --import tsx bench/memory-child.ts engine <steps> <checkpointDir>
 *
 * `bare` runs the bare loop once (the memory baseline). `engine` builds the pipeline, warms the JIT
 * up on a small one, then times the bare loop, one execution without checkpoints, one with, and two
 * more without, reading the peak RSS (a high-water mark) after the build and after each of the first
 * two executions, and the durable floor (as in engine.bench.ts) on 10,000 steps just before and after
 * the checkpointed execution. It answers with one `RESULT <json>` line on stdout; progress goes to stderr.
 */
import { join } from "node:path";
import { RESULT_PREFIX, type BareChildReport, type ChildReport, type EngineChildReport } from "./child-report.js";
import { collectGarbage, peakRssMb, progress, summarize, timeIt } from "./measure.js";
import {
  assertSucceeded,
  bareLoop,
  buildPipeline,
  countingFileSystem,
  durableLoop,
  removeExecution,
  snapshotMb,
  stepFunctions,
} from "./workload.js";

const FLOOR_STEPS = 10_000;

async function runBare(steps: number): Promise<BareChildReport> {
  const fns = stepFunctions(steps);
  const bare = await timeIt(() => bareLoop(fns), { runs: 1, warmup: 0 });
  return { mode: "bare", steps, bare, peakRssMb: peakRssMb() };
}

async function runEngine(steps: number, dir: string): Promise<EngineChildReport> {
  progress(`child: building the ${steps.toLocaleString("en-US")}-step pipeline (addStep × ${steps.toLocaleString("en-US")})`);
  const { pipeline, buildMs } = buildPipeline("large", dir, steps);
  const fns = stepFunctions(steps);
  collectGarbage();
  const rssAfterBuildMb = peakRssMb();
  progress(`child: built in ${(buildMs / 1000).toFixed(1)} s; warming up on 1,000 steps`);

  const { pipeline: small } = buildPipeline("warmup", dir, 1_000);
  const smallFns = stepFunctions(1_000);
  await timeIt(() => bareLoop(smallFns), { runs: 0, warmup: 10 });
  await timeIt(() => small.execute({ checkpoint: false }), { runs: 0, warmup: 10 });
  await timeIt(() => small.execute(), { runs: 0, warmup: 2, after: removeExecution });
  collectGarbage();

  // One execution of each mode, a GC in between, so that each peak is (nearly) its own: the pages
  // the GC frees stay mapped and the next phase reuses them before it maps more.
  progress("child: bare loop (3 runs), then one execution without checkpoints");
  const bare = await timeIt(() => bareLoop(fns), { runs: 3, warmup: 0 });
  const noCheckpoint = () => pipeline.execute({ checkpoint: false });
  const engineRuns: number[] = [];
  let start = performance.now();
  assertSucceeded(await noCheckpoint(), steps);
  engineRuns.push(performance.now() - start);
  const rssNoCheckpointMb = peakRssMb();

  progress("child: one execution with checkpoints (one fsync per step: the long one), the durable floor around it");
  // fsync latency drifts within a minute on a shared disk: the floor, measured on FLOOR_STEPS steps just
  // before and just after the long execution, tells what the disk was doing meanwhile.
  const floorFns = fns.slice(0, FLOOR_STEPS);
  const floorPath = join(dir, "floor.journal");
  const floor = await timeIt(() => durableLoop(floorFns, floorPath), { runs: 1, warmup: 0 });
  collectGarbage();
  const { fileSystem, counts } = countingFileSystem();
  start = performance.now();
  const result = await pipeline.execute({ fileSystem });
  const checkpointed = summarize([performance.now() - start]);
  const rssCheckpointMb = peakRssMb();
  const floorAfter = await timeIt(() => durableLoop(floorFns, floorPath), { runs: 1, warmup: 0 });
  assertSucceeded(result, steps);
  const size = await snapshotMb(result);
  await removeExecution(result);

  progress("child: two more executions without checkpoints (for the median of 3)");
  collectGarbage();
  const more = await timeIt(noCheckpoint, { runs: 2, warmup: 0, after: (r) => assertSucceeded(r, steps) });
  const engine = summarize([...engineRuns, ...more.runs]);

  return {
    mode: "engine",
    steps,
    buildMs,
    bare,
    engine,
    checkpointed,
    counts: { ...counts },
    snapshotMb: size,
    floorUsPerStep: ((floor.median + floorAfter.median) / 2 / floorFns.length) * 1000,
    rssAfterBuildMb,
    rssNoCheckpointMb,
    rssCheckpointMb,
  };
}

const [mode, stepsArg, dir] = process.argv.slice(2);
const steps = Number(stepsArg);
if (!Number.isInteger(steps) || steps <= 0) throw new Error(`Expected a number of steps, got ${stepsArg}`);
let report: ChildReport;
if (mode === "bare") report = await runBare(steps);
else if (mode === "engine" && dir !== undefined) report = await runEngine(steps, dir);
else throw new Error(`Usage: memory-child.ts bare <steps> | engine <steps> <checkpointDir>`);
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(report)}\n`);
