/**
 * What the benchmark runs: no-op steps, in a Pipewright pipeline and in a bare loop over the same
 * functions, plus a file system that counts fsyncs.
 */
import * as fsp from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { summarize, type Timing } from "./measure.js";
import { CheckpointStore, Pipeline, type Command, type FileSystem, type PipelineResult, type StepContext } from "pipewright";

/** The no-op step. One function for every step, as a pipeline reusing a command with other args would. */
export function noop(): void {}

/** The same no-op, counting its calls (to prove that resume runs nothing again). */
export const calls = { count: 0 };
export function countedNoop(): void {
  calls.count++;
}

/** A pipeline of `steps` no-op steps, and how long `addStep` took for all of them (ms). */
export function buildPipeline(
  name: string,
  checkpointDir: string,
  steps: number,
  command: Command = noop,
): { pipeline: Pipeline; buildMs: number } {
  const start = performance.now();
  const pipeline = new Pipeline({ name, checkpointDir });
  for (let i = 0; i < steps; i++) pipeline.addStep(`step-${i}`, command);
  return { pipeline, buildMs: performance.now() - start };
}

/** The functions the bare loop calls: the same no-op, once per step. */
export function stepFunctions(steps: number, command: Command = noop): Command[] {
  return Array.from({ length: steps }, () => command);
}

/** One context for every call of the bare loop: the engine builds one per step, the baseline does not. */
export const bareContext: StepContext = {
  signal: new AbortController().signal,
  attempt: 1,
  executionId: "bare",
  pipelineName: "bare",
  stepName: "bare",
  outputs: {},
  params: {},
  log: () => {},
  progress: () => {},
};

/** The baseline: `for ... await fn(args, ctx)` over the same functions. */
export async function bareLoop(fns: readonly Command[]): Promise<void> {
  const args = {};
  for (const fn of fns) await fn(args, bareContext);
}

/** A journal line the size of the engine's "step succeeded" line. */
const JOURNAL_LINE = `${JSON.stringify({ step: 0, padding: "x".repeat(380) })}\n`;

/**
 * The floor of durable checkpointing on this disk: the bare loop plus, after each step, one append
 * of a journal-sized line and one `datasync`, as a journal with one fsync per step needs at least.
 */
export async function durableLoop(fns: readonly Command[], path: string): Promise<void> {
  const args = {};
  const handle = await fsp.open(path, "a");
  try {
    for (const fn of fns) {
      await fn(args, bareContext);
      await handle.write(JOURNAL_LINE);
      await handle.datasync();
    }
  } finally {
    await handle.close();
    await fsp.rm(path, { force: true });
  }
}

export interface SyncCounts {
  /** `FileHandle.sync()`: snapshots and directories. */
  sync: number;
  /** `FileHandle.datasync()`: durable journal appends. */
  datasync: number;
  /** `FileHandle.write()` calls. */
  writes: number;
}

/**
 * `node:fs/promises` with every opened `FileHandle` counting its `sync`, `datasync` and `write`
 * calls; passed as `fileSystem`, it tells how many fsyncs an execution made. The wrapping replaces
 * three methods on the handle itself: well under a microsecond per call.
 */
export function countingFileSystem(): { fileSystem: FileSystem; counts: SyncCounts; reset: () => void } {
  const counts: SyncCounts = { sync: 0, datasync: 0, writes: 0 };
  const wrap = (handle: FileHandle): FileHandle => {
    const sync = handle.sync.bind(handle);
    const datasync = handle.datasync.bind(handle);
    const write = handle.write.bind(handle) as (...args: unknown[]) => ReturnType<FileHandle["write"]>;
    handle.sync = () => {
      counts.sync++;
      return sync();
    };
    handle.datasync = () => {
      counts.datasync++;
      return datasync();
    };
    handle.write = (...args: unknown[]) => {
      counts.writes++;
      return write(...args);
    };
    return handle;
  };
  const fileSystem: FileSystem = {
    ...fsp,
    open: async (path, flags, mode) => wrap(await fsp.open(path, flags, mode)),
  };
  return {
    fileSystem,
    counts,
    reset: () => {
      counts.sync = 0;
      counts.datasync = 0;
      counts.writes = 0;
    },
  };
}

/** Checks that a run did what the benchmark assumes; a failed run is a broken benchmark, not a slow engine. */
export function assertSucceeded(result: PipelineResult, steps: number): void {
  if (!result.success || result.successfulSteps !== steps) {
    throw new Error(`Expected ${steps} successful steps, got ${result.successfulSteps} (${result.status})`);
  }
}

/** Deletes an execution's checkpoint (snapshot and journal), so that runs do not pile up files. */
export async function removeExecution(result: PipelineResult): Promise<void> {
  if (result.checkpointPath === undefined) return;
  await new CheckpointStore(dirname(result.checkpointPath)).remove(result.checkpointPath);
}

/** Size of an execution's snapshot file, in MB. */
export async function snapshotMb(result: PipelineResult): Promise<number> {
  if (result.checkpointPath === undefined) return NaN;
  return (await fsp.stat(result.checkpointPath)).size / 1024 / 1024;
}

/** Latency of one journal-sized append + datasync on the checkpoint disk, in µs (the floor under a checkpointed step). */
export async function fsyncLatency(dir: string, samples = 300): Promise<Timing> {
  const path = join(dir, "fsync-probe");
  const handle = await fsp.open(path, "a");
  const line = `${"x".repeat(400)}\n`;
  const runs: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      await handle.write(line);
      await handle.datasync();
      runs.push((performance.now() - start) * 1000);
    }
  } finally {
    await handle.close();
    await fsp.rm(path, { force: true });
  }
  return summarize(runs);
}
