import { CheckpointStore, type ExecutionRecord } from "pipewright";

/** The id given matches no execution, or more than one. */
export class ExecutionNotFoundError extends Error {}

const LISTED = 8;

/**
 * The execution `id` names in a checkpoint directory (among one pipeline's executions when `pipeline` is
 * given): "latest" (the newest, by start time), an execution id, or a prefix of exactly one (an exact
 * id wins over longer ones it prefixes). Two pipelines may share an id: then `pipeline` tells them apart.
 */
export async function findExecution(dir: string, id: string, pipeline?: string): Promise<{ path: string; record: ExecutionRecord }> {
  const all = await new CheckpointStore(dir).list(pipeline);
  const where = pipeline === undefined ? dir : `${dir} (pipeline "${pipeline}")`;
  if (all.length === 0) throw new ExecutionNotFoundError(`No executions in ${where} (use --checkpoint-dir to look elsewhere)`);
  if (id === "latest") return all[0] as (typeof all)[number];
  const exact = all.filter(({ record }) => record.executionId === id);
  const matches = exact.length > 0 ? exact : all.filter(({ record }) => record.executionId.startsWith(id));
  if (matches.length === 1) return matches[0] as (typeof all)[number];
  const list = (found: typeof all) =>
    found
      .slice(0, LISTED)
      .map(({ record }) => `${record.executionId} (${record.pipelineName})`)
      .join(", ") + (found.length > LISTED ? `, … ${found.length - LISTED} more` : "");
  if (matches.length === 0) throw new ExecutionNotFoundError(`No execution "${id}" in ${where}; the latest are: ${list(all)}`);
  const hint = pipeline === undefined ? "give more of the id, or --pipeline" : "give more of the id";
  throw new ExecutionNotFoundError(`"${id}" matches ${matches.length} executions: ${list(matches)}; ${hint}`);
}
