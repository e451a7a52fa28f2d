import type { Json, StepContext, StepTask } from "pipewright";

/** What a job carries to a worker: plain JSON only (the command travels by its registry name). */
export interface StepJobData {
  commandName: string;
  args: Record<string, Json>;
  executionId: string;
  pipelineName: string;
  stepName: string;
  attempt: number;
  item?: Json;
  itemIndex?: number;
  params: Record<string, string>;
  /** `ctx.outputs` of the coordinator, when the executor sends them (`outputs: "all"`). */
  outputs?: Record<string, Json>;
  /** Set by the worker just before it fails the job: what the error was, beyond its message. */
  failure?: JobFailure;
}

/** Why a job failed, as the worker saw it. */
export interface JobFailure {
  /** The command threw a `PermanentError`: the engine must not retry it. */
  permanent: boolean;
  /** The class of the error thrown (`TypeError`, `PermanentError`, ...). */
  errorName: string;
  /** The worker that ran it (`host:pid`). */
  worker: string;
}

/** What a worker sends back while a job runs, through BullMQ's job progress events. */
export type JobMessage = { log: string } | { done: number; total?: number };

/**
 * The job's id: the same attempt of the same item of the same run is the same job, so adding it
 * twice (the periodic check re-adding a job that vanished) does not run it twice. The run id keeps
 * apart executions that share an execution id — those are unique only within one checkpoint
 * directory, and several coordinators share the queue. BullMQ refuses ":" in ids, hence the encoding.
 */
export function jobIdFor(task: Pick<StepTask, "runId">, ctx: Pick<StepContext, "executionId" | "stepName" | "itemIndex" | "attempt">): string {
  return `${idPart(ctx.executionId)}.${idPart(task.runId)}.${idPart(ctx.stepName)}.${idPart(ctx.itemIndex ?? "step")}.${idPart(ctx.attempt)}`;
}

function idPart(part: string | number): string {
  return encodeURIComponent(String(part));
}

/** The job data for one attempt. */
export function jobData(task: StepTask, ctx: StepContext, sendOutputs: boolean): StepJobData {
  const data: StepJobData = {
    commandName: task.commandName,
    args: task.args,
    executionId: ctx.executionId,
    pipelineName: ctx.pipelineName,
    stepName: ctx.stepName,
    attempt: ctx.attempt,
    params: { ...ctx.params },
  };
  if (ctx.item !== undefined) data.item = ctx.item;
  if (ctx.itemIndex !== undefined) data.itemIndex = ctx.itemIndex;
  if (sendOutputs) data.outputs = jsonOnly(ctx.outputs);
  return data;
}

/** The entries that survive JSON: outputs are recorded as JSON already, but a custom context may differ. */
function jsonOnly(outputs: Readonly<Record<string, Json>>): Record<string, Json> {
  const result: Record<string, Json> = {};
  for (const [name, value] of Object.entries(outputs)) {
    try {
      const text = JSON.stringify(value);
      if (text !== undefined) result[name] = JSON.parse(text) as Json;
    } catch {
      // not JSON (a cycle, a BigInt): a worker could not receive it anyway
    }
  }
  return result;
}
