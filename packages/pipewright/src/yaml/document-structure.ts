import { STEP_KINDS } from "./pipeline-schema.js";
import type { Context, Path } from "./document-context.js";

/**
 * Where the pipelines and their entries are in a document's data: the document is a pipeline, and so
 * is every inline `pipeline:` mapping of an entry. Shapes the schema rejects are simply not followed.
 */

type StepKind = (typeof STEP_KINDS)[number];

/** The kind keys an entry has (`command`, `parallel`, `pipeline`); a valid entry has exactly one. */
export function stepKinds(entry: unknown): StepKind[] {
  if (!isMapping(entry)) return [];
  return STEP_KINDS.filter((kind) => Object.hasOwn(entry, kind));
}

/** The pipeline at `path` and the inline pipelines inside it, outermost first. */
export function pipelinePaths(ctx: Context, path: Path = []): Path[] {
  const nested = entryPaths(ctx, path).flatMap((entry) => {
    const body = [...entry, "pipeline"];
    return isMapping(ctx.value(body)) ? pipelinePaths(ctx, body) : [];
  });
  return [path, ...nested];
}

/** The entries of the pipeline at `path`, in order: its steps, each followed by its parallel members. */
export function entryPaths(ctx: Context, pipeline: Path): Path[] {
  const steps = ctx.value([...pipeline, "steps"]);
  if (!Array.isArray(steps)) return [];
  return steps.flatMap((_, i) => {
    const entry = [...pipeline, "steps", i];
    const members = ctx.value([...entry, "parallel"]);
    return [entry, ...(Array.isArray(members) ? members.map((_, j) => [...entry, "parallel", j]) : [])];
  });
}

/**
 * The entries that `path` goes through, outermost first: `steps[2]`, then `steps[2].parallel[0]` or
 * `steps[2].pipeline.steps[1]`, ... (a key named `steps` inside kwargs is not an entry).
 */
export function entriesAlong(path: Path): Path[] {
  const entries: Path[] = [];
  let at = path[0] === "steps" && typeof path[1] === "number" ? 2 : 0;
  while (at > 0) {
    entries.push(path.slice(0, at));
    const [key, next, index] = [path[at], path[at + 1], path[at + 2]];
    at =
      key === "parallel" && typeof next === "number"
        ? at + 2
        : key === "pipeline" && next === "steps" && typeof index === "number"
          ? at + 3
          : 0;
  }
  return entries;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Every entry of every pipeline in the document. */
export function allEntryPaths(ctx: Context): Path[] {
  return pipelinePaths(ctx).flatMap((pipeline) => entryPaths(ctx, pipeline));
}
