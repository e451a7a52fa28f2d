import { CheckpointStore, ValidationError, type ExecutionRecord, type ExecutionSummary } from "pipewright";

export type { ExecutionSummary };

export type Lookup =
  | { kind: "found"; execution: ExecutionSummary }
  | { kind: "ambiguous"; candidates: ExecutionSummary[] }
  | { kind: "unknown" };

/**
 * The execution an id names: exactly, else as the start of exactly one id (`20251107_14` for
 * `20251107_143022`). The same id in two pipelines is ambiguous too.
 */
export function lookUpExecution(summaries: readonly ExecutionSummary[], id: string): Lookup {
  const exact = summaries.filter((s) => s.executionId === id);
  const matches = exact.length > 0 ? exact : summaries.filter((s) => s.executionId.startsWith(id));
  if (matches.length === 1) return { kind: "found", execution: matches[0]! };
  return matches.length === 0 ? { kind: "unknown" } : { kind: "ambiguous", candidates: matches };
}

const LISTED = 8;

/**
 * Loads the execution `id` names in a checkpoint directory (among one pipeline's when `pipeline` is
 * given): "latest" (the newest by start time), an id, or the start of exactly one. Only that execution
 * is read whole; the others from their headers. Throws a `ValidationError` (exit 2) naming candidates.
 */
export async function findExecution(dir: string, id: string, pipeline?: string): Promise<{ path: string; record: ExecutionRecord }> {
  const store = new CheckpointStore(dir);
  const all = await store.summaries(pipeline);
  const where = pipeline === undefined ? dir : `${dir} (pipeline "${pipeline}")`;
  if (all.length === 0) throw new ValidationError(`No executions in ${where} (use --checkpoint-dir to look elsewhere)`);
  const list = (found: readonly ExecutionSummary[]) =>
    found
      .slice(0, LISTED)
      .map((s) => `${s.executionId} (${s.pipelineName}, ${s.status})`)
      .join(", ") + (found.length > LISTED ? `, … ${found.length - LISTED} more` : "");
  const lookup: Lookup = id === "latest" ? { kind: "found", execution: all[0] as ExecutionSummary } : lookUpExecution(all, id);
  if (lookup.kind === "unknown") throw new ValidationError(`No execution "${id}" in ${where}; the latest are: ${list(all)}`);
  if (lookup.kind === "ambiguous") {
    const hint = pipeline === undefined ? "give more of the id, or --pipeline" : "give more of the id";
    throw new ValidationError(`"${id}" matches ${lookup.candidates.length} executions: ${list(lookup.candidates)}; ${hint}`);
  }
  const { path } = lookup.execution;
  return { path, record: await store.load(path) };
}
