/**
 * What the graph benchmark runs: a layered graph of no-op steps (each step waits for a few steps of the
 * layer before it), a map step over many items with a no-op command, their bare-loop baselines, and
 * small file helpers (an fsync probe; copying a checkpoint directory aside and back).
 */
import { copyFile, mkdir, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { FileHandle } from "node:fs/promises";
import { Pipeline, type Command, type FileSystem, type Json, type PipelineResult } from "pipewright";
import { bareContext, countingFileSystem, noop, type SyncCounts } from "./workload.js";

// ---------------------------------------------------------------------------------------------
// The layered graph

/** `layers × width` steps; step `i` waits for the steps `dependsOn[i]` (indexes into `names`). */
export interface LayeredGraph {
  layers: number;
  width: number;
  fanIn: number;
  names: string[];
  dependsOn: number[][];
}

/** A small seeded PRNG (mulberry32): the same graph on every run and every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `layers` layers of `width` steps. The first layer waits for nothing; every step of layer k waits for
 * `fanIn` distinct steps of layer k−1, picked pseudo-randomly (seeded).
 */
export function layeredGraph(layers: number, width: number, fanIn: number, seed = 1): LayeredGraph {
  const random = seededRandom(seed);
  const names: string[] = [];
  const dependsOn: number[][] = [];
  const picks = Math.min(fanIn, width);
  for (let layer = 0; layer < layers; layer++) {
    for (let i = 0; i < width; i++) {
      names.push(`L${layer}-${i}`);
      if (layer === 0) {
        dependsOn.push([]);
        continue;
      }
      const deps = new Set<number>();
      while (deps.size < picks) deps.add((layer - 1) * width + Math.floor(random() * width));
      dependsOn.push([...deps].sort((a, b) => a - b));
    }
  }
  return { layers, width, fanIn, names, dependsOn };
}

/**
 * The graph as a pipeline of `command` steps, each with an explicit `dependsOn` (`[]` in the first
 * layer). `buildMs` is the time of `new Pipeline` + every `addStep`; `graphMs` that of `pipeline.graph()`
 * (dependency check, cycle check, fingerprints), which `execute` would otherwise do on its first run.
 */
export function buildLayeredPipeline(
  name: string,
  checkpointDir: string,
  graph: LayeredGraph,
  command: Command = noop,
): { pipeline: Pipeline; buildMs: number; graphMs: number } {
  const start = performance.now();
  const pipeline = new Pipeline({ name, checkpointDir });
  graph.names.forEach((stepName, i) => {
    const dependsOn = (graph.dependsOn[i] ?? []).map((d) => graph.names[d] as string);
    pipeline.addStep(stepName, command, { dependsOn });
  });
  const built = performance.now();
  pipeline.graph();
  return { pipeline, buildMs: built - start, graphMs: performance.now() - built };
}

/** The graph's baseline: `for ... await fn(args, ctx)` over each step's function (all alike: any order will do). */
export function graphFunctions(steps: number, command: Command = noop): Command[] {
  return Array.from({ length: steps }, () => command);
}


// ---------------------------------------------------------------------------------------------
// The map step

/** Calls of `mapItem`, to prove that resume runs only the items left. */
export const mapCalls = { count: 0 };

/** Items with a value ≥ `failFrom` throw: how the benchmark makes a map step fail part-way. */
export const mapFailure = { failFrom: Number.POSITIVE_INFINITY };

/**
 * The map step's command: a no-op on its item (one function for every item, and for every execution,
 * so that the step's fingerprint does not change between the failed run and its resume).
 */
export function mapItem(args: { item: Json }): void {
  mapCalls.count++;
  if (typeof args.item === "number" && args.item >= mapFailure.failFrom) throw new Error(`item ${args.item} fails on purpose`);
}

/** The items 0 … n−1. */
export function mapItems(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** A pipeline of one map step, "map", calling `mapItem` on each item. */
export function buildMapPipeline(name: string, checkpointDir: string, items: Json[], concurrency?: number): Pipeline {
  return new Pipeline({ name, checkpointDir }).addMapStep("map", {
    items,
    command: mapItem,
    ...(concurrency !== undefined && { concurrency }),
  });
}

/** The map step's baseline: `for ... await command({ item }, ctx)` over the items. */
export async function bareMapLoop(items: readonly Json[], command: Command<{ item: Json }> = mapItem): Promise<void> {
  for (const item of items) await command({ item }, bareContext);
}

/** The output of the map step. */
export interface MapStepOutput {
  total: number;
  succeeded: number;
  failed: number;
}

/** The map step's output in `result`; throws unless it ran `total` items of which `succeeded` succeeded. */
export function assertMapOutput(result: PipelineResult, total: number, succeeded: number): MapStepOutput {
  const output = result.steps.find((s) => s.name === "map")?.output as MapStepOutput | null | undefined;
  if (!output || output.total !== total || output.succeeded !== succeeded) {
    throw new Error(
      `Expected the map step to report ${succeeded} of ${total} items succeeded, got ${JSON.stringify(output && { total: output.total, succeeded: output.succeeded, failed: output.failed })} (${result.status})`,
    );
  }
  return output;
}

// ---------------------------------------------------------------------------------------------
// Files


/** Replaces the content of `to` with copies of the files in `from` (flat directories). */
export async function copyDirectory(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await mkdir(to, { recursive: true });
  for (const name of await readdir(from)) await copyFile(join(from, name), join(to, name));
}

/** Total size of the files in a (flat) directory, in MB. */
export async function directoryMb(dir: string): Promise<number> {
  let bytes = 0;
  for (const name of await readdir(dir)) bytes += (await stat(join(dir, name))).size;
  return bytes / 1024 / 1024;
}

/**
 * `countingFileSystem()` (fsyncs and writes), also counting the bytes written through its handles
 * (`write` and `writeFile`): how much of the checkpoint an execution rewrites.
 */
export function measuringFileSystem(): { fileSystem: FileSystem; counts: SyncCounts; written: { bytes: number }; reset: () => void } {
  const counting = countingFileSystem();
  const written = { bytes: 0 };
  const size = (data: unknown) => (typeof data === "string" ? Buffer.byteLength(data) : ArrayBuffer.isView(data) ? data.byteLength : 0);
  const fileSystem: FileSystem = {
    ...counting.fileSystem,
    open: async (path, flags, mode) => {
      const handle: FileHandle = await counting.fileSystem.open(path, flags, mode);
      const write = handle.write.bind(handle) as (...args: unknown[]) => ReturnType<FileHandle["write"]>;
      const writeFile = handle.writeFile.bind(handle);
      handle.write = (...args: unknown[]) => {
        written.bytes += size(args[0]);
        return write(...args);
      };
      handle.writeFile = (data, options) => {
        written.bytes += size(data);
        return writeFile(data, options);
      };
      return handle;
    },
  };
  return {
    fileSystem,
    counts: counting.counts,
    written,
    reset: () => {
      counting.reset();
      written.bytes = 0;
    },
  };
}
