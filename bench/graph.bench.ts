/**
 * Pipewright graph benchmark (second half of `npm run bench`):
 *
 * 1. a 10,000-step graph (100 layers of 100 no-op steps, each waiting for 3 steps of the layer before),
 *    without checkpoints and with them on disk, at `concurrency` 100 and at the default, against a bare
 *    `for ... await fn(args, ctx)` loop over the same functions in a topological order;
 * 2. a map step over 100,000 items with a no-op command, without checkpoints and with its journal on
 *    disk (fsyncs counted: items per fsync shows the group commit), against a bare loop over the items;
 * 3. resuming that map step from a failed execution in which 99,000 items succeeded: only the 1,000
 *    left may run; and how much of the resume is loading the checkpoint.
 *
 * Engine and baseline run in turns in this process (`timeAlternating`), medians reported. Prints a
 * plain-text report with a PASS/FAIL line per target, then the same figures as Markdown between
 * `--- markdown ---` lines (for README.md, between `<!-- bench:graph -->` markers). Exits 0 even when a
 * target fails: it is a report.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { arch, availableParallelism, cpus, loadavg, platform, tmpdir } from "node:os";
import { join } from "node:path";
import { CheckpointStore, type Pipeline, type PipelineResult } from "pipewright";
import {
  assertMapOutput,
  bareMapLoop,
  buildLayeredPipeline,
  buildMapPipeline,
  copyDirectory,
  directoryMb,
  graphFunctions,
  layeredGraph,
  mapCalls,
  mapFailure,
  mapItems,
  measuringFileSystem,
} from "./graph-workload.js";
import { collectGarbage, markdownTable, num, progress, summarize, targetLines, targetsMarkdown, textTable, timeAlternating, timeIt, type Case, type Check, type Timing, closingLines } from "./measure.js";
import { assertSucceeded, bareLoop, fsyncLatency, removeExecution, snapshotMb, type SyncCounts } from "./workload.js";

const GRAPH = { layers: 100, width: 100, fanIn: 3, seed: 1 };
const GRAPH_CONCURRENCY = 100;
const MAP_ITEMS = 100_000;
const RESUME_DONE = 99_000;
const TARGET = { graphOverheadUs: 30, mapCheckpointedSeconds: 2, resumeMs: 300 };

const DEFAULT_CONCURRENCY = availableParallelism();

/** The phases of a resume, each ending at an event (the last at the end of `execute`). */
const RESUME_PHASES = [
  { until: "pipelineStarted", what: "find and load the failed execution, write the new execution's first snapshot" },
  { until: "stepStarted", what: "start the map step: items, their keys, restore the 99,000 items" },
  { until: "stepSucceeded", what: "journal the step as running, run the 1,000 items, build the output" },
  { until: "pipelineFinished", what: "journal the step's end (fdatasync), fold the journal into the snapshot" },
  { until: "end", what: "the result" },
] as const;
const fsyncsOf = (c: SyncCounts) => c.sync + c.datasync;
const perUnitUs = (ms: number, units: number) => (ms * 1000) / units;
const runsNote = (t: Timing) => (t.runs.length === 1 ? "1 run" : `median of ${t.runs.length}`);
const concurrencyLabel = (c: number | undefined) => (c === undefined ? `default (${DEFAULT_CONCURRENCY})` : String(c));

/** One way of running a pipeline, timed in turns with its bare loop. Times in ms. */
interface RunFigures {
  concurrency: number | undefined;
  checkpoint: boolean;
  engine: Timing;
  bare: Timing;
  /** fsyncs and writes of one execution (checkpointed only). */
  counts: SyncCounts | undefined;
  /** MB written to checkpoint files by one execution (snapshots and journal). */
  writtenMb: number;
  snapshotMb: number;
}

interface GraphFigures {
  steps: number;
  edges: number;
  buildMs: number;
  graphMs: number;
  runs: RunFigures[];
}

interface MapFigures {
  items: number;
  runs: RunFigures[];
}

interface ResumeFigures {
  /** Size of the failed execution's checkpoint files, MB. */
  checkpointMb: number;
  /** Succeeded items in the failed execution, as loaded from its checkpoint. */
  doneBefore: number;
  firstRunMs: number;
  /** `new CheckpointStore(dir).load(path)` of the failed execution. */
  load: Timing;
  /** The first resume (colder JIT), then the measured ones. */
  coldMs: number;
  resume: Timing;
  /** Medians, ms, of the resume's phases as its events mark them (see `RESUME_PHASES`). */
  phases: number[];
  /** fsyncs, writes and MB written by one resume. */
  counts: SyncCounts;
  writtenMb: number;
  /** Calls of the command per resume (must be MAP_ITEMS − RESUME_DONE each time). */
  callsPerResume: number[];
}

// ---------------------------------------------------------------------------------------------
// Measurements

/**
 * Times `pipeline.execute` with the given options in turns with `bare`; with checkpoints, counts the
 * fsyncs of each execution and removes its files after it.
 */
async function measureRuns(
  pipeline: Pipeline,
  bare: () => Promise<void>,
  check: (result: PipelineResult) => void,
  modes: Array<{ concurrency: number | undefined; checkpoint: boolean; runs: number; warmup: number }>,
  label: string,
): Promise<RunFigures[]> {
  const figures: RunFigures[] = [];
  for (const mode of modes) {
    const what = `${label}, ${mode.checkpoint ? "checkpoints on disk" : "no checkpoints"}, concurrency ${concurrencyLabel(mode.concurrency)}`;
    progress(`${what} (median of ${mode.runs}, in turns with the bare loop)`);
    const { fileSystem, counts, written, reset } = measuringFileSystem();
    let perExecution: SyncCounts | undefined;
    let writtenMb = NaN;
    let size = NaN;
    const engineCase: Case<PipelineResult> = {
      body: () => {
        reset();
        return pipeline.execute({
          checkpoint: mode.checkpoint,
          ...(mode.concurrency !== undefined && { concurrency: mode.concurrency }),
          ...(mode.checkpoint && { fileSystem }),
        });
      },
      after: async (result) => {
        check(result);
        if (mode.checkpoint) {
          perExecution = { ...counts };
          writtenMb = written.bytes / 1024 / 1024;
          size = await snapshotMb(result);
          await removeExecution(result);
        }
      },
    };
    collectGarbage();
    const [engine, bareTiming] = await timeAlternating(engineCase, { body: bare }, mode.runs, mode.warmup);
    figures.push({ concurrency: mode.concurrency, checkpoint: mode.checkpoint, engine, bare: bareTiming, counts: perExecution, writtenMb, snapshotMb: size });
  }
  return figures;
}

async function measureGraph(dir: string): Promise<GraphFigures> {
  const graph = layeredGraph(GRAPH.layers, GRAPH.width, GRAPH.fanIn, GRAPH.seed);
  const steps = graph.names.length;
  progress(`graph: building ${num(steps)} steps (${GRAPH.layers} layers × ${GRAPH.width}, ${GRAPH.fanIn} dependencies each)`);
  const { pipeline, buildMs, graphMs } = buildLayeredPipeline("bench-graph", join(dir, "graph"), graph);
  const fns = graphFunctions(graph.names.length);
  const runs = await measureRuns(
    pipeline,
    () => bareLoop(fns),
    (result) => assertSucceeded(result, steps),
    [
      { concurrency: GRAPH_CONCURRENCY, checkpoint: false, runs: 9, warmup: 3 },
      { concurrency: undefined, checkpoint: false, runs: 5, warmup: 1 },
      { concurrency: GRAPH_CONCURRENCY, checkpoint: true, runs: 5, warmup: 1 },
      // One fsync per step at this concurrency (≈ 5 s): one run, for the record.
      { concurrency: undefined, checkpoint: true, runs: 1, warmup: 0 },
    ],
    "graph",
  );
  const edges = graph.dependsOn.reduce((n, deps) => n + deps.length, 0);
  return { steps, edges, buildMs, graphMs, runs };
}

async function measureMap(dir: string): Promise<MapFigures> {
  const items = mapItems(MAP_ITEMS);
  const pipeline = buildMapPipeline("bench-map", join(dir, "map"), items);
  const runs = await measureRuns(
    pipeline,
    () => bareMapLoop(items),
    (result) => {
      assertSucceeded(result, 1);
      assertMapOutput(result, MAP_ITEMS, MAP_ITEMS);
    },
    [
      { concurrency: undefined, checkpoint: false, runs: 5, warmup: 1 },
      { concurrency: undefined, checkpoint: true, runs: 5, warmup: 1 },
    ],
    `map step of ${num(MAP_ITEMS)} items`,
  );
  return { items: MAP_ITEMS, runs };
}

async function measureResume(dir: string): Promise<ResumeFigures> {
  const live = join(dir, "resume");
  const aside = join(dir, "resume-aside");
  const items = mapItems(MAP_ITEMS);
  const pipeline = buildMapPipeline("bench-map-resume", live, items);

  progress(`resume: a failed execution in which ${num(RESUME_DONE)} of ${num(MAP_ITEMS)} items succeeded (concurrency 1, items ≥ ${num(RESUME_DONE)} throw)`);
  mapFailure.failFrom = RESUME_DONE;
  let first: PipelineResult;
  const firstStart = performance.now();
  try {
    first = await pipeline.execute({ concurrency: 1 });
  } finally {
    mapFailure.failFrom = Number.POSITIVE_INFINITY;
  }
  const firstRunMs = performance.now() - firstStart;
  const path = first.checkpointPath;
  if (first.success || first.steps[0]?.status !== "failed" || path === undefined) {
    throw new Error(`Expected the first execution to fail in its map step, got ${first.status} / ${first.steps[0]?.status}`);
  }
  const store = new CheckpointStore(live);
  const loaded = await store.load(path);
  const doneBefore = loaded.steps[0]?.items?.filter((item) => item?.status === "success").length ?? 0;
  if (doneBefore !== RESUME_DONE) throw new Error(`Expected ${RESUME_DONE} succeeded items in the checkpoint, found ${doneBefore}`);
  await copyDirectory(live, aside);
  const checkpointMb = await directoryMb(aside);

  progress("resume: loading the checkpoint alone (median of 5)");
  collectGarbage();
  const load = await timeIt(() => store.load(path), { runs: 5, warmup: 1 });

  progress(`resume: resumeFrom "latest", the checkpoint restored before each run (median of 5, after one unmeasured)`);
  collectGarbage();
  const expectedCalls = MAP_ITEMS - RESUME_DONE;
  const callsPerResume: number[] = [];
  const times: number[] = [];
  const phaseRuns: number[][] = RESUME_PHASES.map(() => []);
  const marks = new Map<string, number>();
  const off = (["pipelineStarted", "stepStarted", "stepSucceeded", "pipelineFinished"] as const).map((event) =>
    pipeline.on(event, () => marks.set(event, performance.now())),
  );
  const { fileSystem, counts, written, reset } = measuringFileSystem();
  try {
    for (let i = 0; i < 6; i++) {
      await copyDirectory(aside, live); // only the failed execution in the directory, as it was
      const callsBefore = mapCalls.count;
      marks.clear();
      reset();
      const start = performance.now();
      const result = await pipeline.execute({ resumeFrom: "latest", fileSystem });
      const end = performance.now();
      times.push(end - start);
      const calls = mapCalls.count - callsBefore;
      callsPerResume.push(calls);
      if (result.resumedFrom !== first.executionId) throw new Error(`Resumed ${result.resumedFrom}, expected ${first.executionId}`);
      assertSucceeded(result, 1);
      assertMapOutput(result, MAP_ITEMS, MAP_ITEMS);
      if (calls !== expectedCalls) throw new Error(`The resume ran ${calls} items, expected ${expectedCalls}`);
      if (i > 0) {
        const at = [start, ...RESUME_PHASES.slice(0, -1).map((p) => marks.get(p.until) ?? NaN), end];
        RESUME_PHASES.forEach((_, k) => phaseRuns[k]?.push((at[k + 1] ?? NaN) - (at[k] ?? NaN)));
      }
    }
  } finally {
    off.forEach((remove) => remove());
  }
  const [coldMs = NaN, ...measured] = times;
  return {
    checkpointMb,
    doneBefore,
    firstRunMs,
    load,
    coldMs,
    resume: summarize(measured),
    callsPerResume,
    phases: phaseRuns.map((runs) => summarize(runs).median),
    counts: { ...counts },
    writtenMb: written.bytes / 1024 / 1024,
  };
}

// ---------------------------------------------------------------------------------------------
// Report


function find(runs: RunFigures[], concurrency: number | undefined, checkpoint: boolean): RunFigures {
  const run = runs.find((r) => r.concurrency === concurrency && r.checkpoint === checkpoint);
  if (!run) throw new Error(`No run with concurrency ${concurrency} and checkpoint ${checkpoint}`);
  return run;
}

async function main(): Promise<void> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), "pipewright-graph-bench-"));
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log("Pipewright graph benchmark");
  console.log(`Node ${process.version}, ${platform()} ${arch()}, ${cpus().length} × ${cpu}`);
  console.log(`Checkpoints in ${dir} (removed at the end)`);
  const loadAtStart = loadavg()[0] ?? 0;
  console.log(`Load average (1 min) at start: ${num(loadAtStart, 2)}`);
  console.log("");

  let fsync: Timing;
  let graph: GraphFigures;
  let map: MapFigures;
  let resume: ResumeFigures;
  try {
    await mkdir(dir, { recursive: true });
    fsync = await fsyncLatency(dir);
    graph = await measureGraph(dir);
    collectGarbage();
    map = await measureMap(dir);
    collectGarbage();
    resume = await measureResume(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // --- graph
  const graphRow = (r: RunFigures) => {
    const engineUs = perUnitUs(r.engine.median, graph.steps);
    const bareUs = perUnitUs(r.bare.median, graph.steps);
    const fsyncs = r.counts ? fsyncsOf(r.counts) : NaN;
    return [
      r.checkpoint ? "on disk" : "off",
      concurrencyLabel(r.concurrency),
      num(r.bare.median, 1),
      num(r.engine.median, 1),
      num(bareUs, 2),
      num(engineUs, 2),
      num(engineUs - bareUs, 2),
      r.counts ? `${num(fsyncs)} (${num(r.counts.datasync)}+${num(r.counts.sync)})` : "—",
      r.counts ? num(fsyncs / graph.steps, 3) : "—",
      r.counts ? num(graph.steps / fsyncs, 1) : "—",
      r.checkpoint ? num(r.writtenMb, 1) : "—",
      r.checkpoint ? num(r.snapshotMb, 1) : "—",
      runsNote(r.engine),
    ];
  };
  const graphHeaders = [
    "checkpoints",
    "concurrency",
    "bare ms",
    "engine ms",
    "bare µs/step",
    "engine µs/step",
    "overhead µs/step",
    "fsyncs (datasync+sync)",
    "fsyncs/step",
    "steps/fsync",
    "MB written",
    "snapshot MB",
    "runs",
  ];

  // --- map
  const mapRow = (r: RunFigures) => {
    const fsyncs = r.counts ? fsyncsOf(r.counts) : NaN;
    return [
      r.checkpoint ? "journal on disk" : "off",
      concurrencyLabel(r.concurrency),
      num(r.bare.median, 1),
      num(r.engine.median, 1),
      num(perUnitUs(r.bare.median, map.items), 2),
      num(perUnitUs(r.engine.median, map.items), 2),
      num(perUnitUs(r.engine.median - r.bare.median, map.items), 2),
      r.counts ? `${num(fsyncs)} (${num(r.counts.datasync)}+${num(r.counts.sync)})` : "—",
      r.counts ? num(map.items / fsyncs, 1) : "—",
      r.counts ? num(r.counts.writes) : "—",
      r.checkpoint ? num(r.writtenMb, 1) : "—",
      r.checkpoint ? num(r.snapshotMb, 1) : "—",
      runsNote(r.engine),
    ];
  };
  const mapHeaders = [
    "checkpoints",
    "concurrency",
    "bare ms",
    "engine ms",
    "bare µs/item",
    "engine µs/item",
    "overhead µs/item",
    "fsyncs (datasync+sync)",
    "items/fsync",
    "writes",
    "MB written",
    "snapshot MB",
    "runs",
  ];

  const graphFast = find(graph.runs, GRAPH_CONCURRENCY, false);
  const graphDefault = find(graph.runs, undefined, false);
  const graphCheckpointed = find(graph.runs, GRAPH_CONCURRENCY, true);
  const overheadUs = (r: RunFigures) => perUnitUs(r.engine.median - r.bare.median, graph.steps);
  const mapCheckpointed = find(map.runs, undefined, true);
  const mapSeconds = mapCheckpointed.engine.median / 1000;
  const mapFsyncs = mapCheckpointed.counts ? fsyncsOf(mapCheckpointed.counts) : NaN;
  const left = MAP_ITEMS - RESUME_DONE;
  const resumeOk = resume.resume.median <= TARGET.resumeMs && resume.callsPerResume.every((c) => c === left);

  const checks: Check[] = [
    {
      target: `${num(graph.steps)}-step graph, no checkpoints, concurrency ${GRAPH_CONCURRENCY}: scheduling overhead µs/step`,
      goal: `≤ ${TARGET.graphOverheadUs}`,
      measured: `${num(overheadUs(graphFast), 2)} (default concurrency: ${num(overheadUs(graphDefault), 2)}; with checkpoints: ${num(overheadUs(graphCheckpointed), 1)})`,
      ok: overheadUs(graphFast) <= TARGET.graphOverheadUs,
    },
    {
      target: `map step of ${num(MAP_ITEMS)} items, journal on disk, s`,
      goal: `≤ ${TARGET.mapCheckpointedSeconds}`,
      measured: `${num(mapSeconds, 3)} (${num(MAP_ITEMS / mapFsyncs, 0)} items per fsync)`,
      ok: mapSeconds <= TARGET.mapCheckpointedSeconds,
    },
    {
      target: `resume of the map step with ${num(RESUME_DONE)} items done, ms`,
      goal: `≤ ${TARGET.resumeMs}`,
      measured: `${num(resume.resume.median, 1)} (loading the checkpoint: ${num(resume.load.median, 1)}); ran ${num(left)} items each time: ${resume.callsPerResume.every((c) => c === left) ? "yes" : "NO"}`,
      ok: resumeOk,
    },
  ];

  // ------------------------------------------------------------------------------------------
  const out: string[] = [];
  const section = (title: string, body: string) => out.push(title, body, "");
  section(
    "Disk",
    `write + datasync of a 400-byte line: median ${num(fsync.median, 0)} µs (min ${num(fsync.min, 0)}, max ${num(fsync.max, 0)}, ${fsync.runs.length} samples)`,
  );
  section(
    `${num(graph.steps)}-step graph: ${GRAPH.layers} layers × ${GRAPH.width} no-op steps, each waiting for ${GRAPH.fanIn} of the layer before (${num(graph.edges)} edges); overhead = engine − bare loop`,
    [
      textTable(graphHeaders, graph.runs.map(graphRow)),
      `building: addStep × ${num(graph.steps)} ${num(graph.buildMs, 0)} ms (${num(perUnitUs(graph.buildMs, graph.steps), 1)} µs/step), pipeline.graph() ${num(graph.graphMs, 0)} ms`,
    ].join("\n"),
  );
  section(`Map step of ${num(map.items)} items, no-op command (one execution = one map step)`, textTable(mapHeaders, map.runs.map(mapRow)));
  section(
    `Resume of the map step: ${num(RESUME_DONE)} of ${num(MAP_ITEMS)} items succeeded, then one failed (the step failed)`,
    [
      `failed execution (concurrency 1): ${num(resume.firstRunMs, 0)} ms; checkpoint ${num(resume.checkpointMb, 1)} MB, ${num(resume.doneBefore)} items succeeded in it`,
      `resume (resumeFrom "latest"): median ${num(resume.resume.median, 1)} ms (min ${num(resume.resume.min, 1)}, max ${num(resume.resume.max, 1)}, ${resume.resume.runs.length} runs; the unmeasured first one: ${num(resume.coldMs, 1)} ms)`,
      `  of which loading the checkpoint (new CheckpointStore(dir).load(path), alone): median ${num(resume.load.median, 1)} ms (min ${num(resume.load.min, 1)}, max ${num(resume.load.max, 1)})`,
      "  phases (medians, ms, between the execution's events):",
      ...RESUME_PHASES.map((phase, k) => `    ${num(resume.phases[k] ?? NaN, 1).padStart(7)}  → ${phase.until.padEnd(16)} ${phase.what}`),
      `one resume: ${num(fsyncsOf(resume.counts))} fsyncs (${num(resume.counts.datasync)} datasync + ${num(resume.counts.sync)} sync), ${num(resume.counts.writes)} writes, ${num(resume.writtenMb, 1)} MB written`,
      `items run per resume: ${resume.callsPerResume.join(", ")} (expected ${num(left)})`,
    ].join("\n"),
  );
  section("Targets", targetLines(checks));
  out.push(...closingLines(loadAtStart, checks, started));

  // --- markdown
  const mdGraphRow = (r: RunFigures) => [
    `${num(graph.steps)}-step graph, checkpoints ${r.checkpoint ? "on disk" : "off"}, concurrency ${concurrencyLabel(r.concurrency)}`,
    `${num(r.bare.median, 1)} ms`,
    `${num(r.engine.median, 1)} ms`,
    `${num(perUnitUs(r.engine.median - r.bare.median, graph.steps), 2)} µs/step`,
    r.counts ? num(fsyncsOf(r.counts) / graph.steps, 3) : "—",
  ];
  const mdMapRow = (r: RunFigures) => [
    `${num(map.items)}-item map step, ${r.checkpoint ? "journal on disk" : "checkpoints off"}`,
    `${num(r.bare.median, 1)} ms`,
    `${num(r.engine.median, 1)} ms`,
    `${num(perUnitUs(r.engine.median - r.bare.median, map.items), 2)} µs/item`,
    r.counts ? `${num(fsyncsOf(r.counts) / map.items, 4)} (${num(map.items / fsyncsOf(r.counts), 0)} items/fsync)` : "—",
  ];
  const md = [
    `Node ${process.version}, ${platform()} ${arch()}, ${cpus().length} × ${cpu}; fsync ≈ ${num(fsync.median, 0)} µs;` +
      ` load average ${num(loadAtStart, 1)}. No-op commands; medians, engine and bare loop in turns. Graph: ${GRAPH.layers} layers × ${GRAPH.width} steps,` +
      ` each waiting for ${GRAPH.fanIn} steps of the layer before.`,
    "",
    markdownTable(["Case", "Bare loop", "Engine", "Overhead", "fsyncs per step/item"], [...graph.runs.map(mdGraphRow), ...map.runs.map(mdMapRow)]),
    "",
    targetsMarkdown(checks),
  ];
  out.push("--- markdown ---", ...md, "--- markdown ---");
  console.log(out.join("\n"));
}

await main();
