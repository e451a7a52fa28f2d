import { CheckpointStore } from "./checkpoint/checkpoint-store.js";
import type { StepRecord } from "./checkpoint/execution-record.js";
import type { ExecutionGraph } from "./graph.js";
import { findPrevious } from "./run-pipeline.js";
import { resumeDecision } from "./resume-rule.js";

/** What an execution would do with one step, and why. */
export interface StepPlan {
  name: string;
  /** `skip`: restored from the execution resumed, not run. */
  action: "run" | "skip";
  reason: string;
  /** The step's condition, when it has one: decided when the step is reached. */
  condition: string | undefined;
  dependsOn: string[];
  /** For a map step resumed part way: items that will not run again. */
  itemsDone: number | undefined;
}

export interface ExecutionPlan {
  /** The execution that would be resumed, if any. */
  resumedFrom: string | undefined;
  /** Why nothing is resumed, when resume was asked for but found nothing. */
  warning: string | undefined;
  steps: StepPlan[];
}

/** What `execute({ resumeFrom })` would run and skip, without running anything (`pipewright plan`). */
export async function planExecution(
  pipelineName: string,
  checkpointDir: string,
  graph: ExecutionGraph,
  resumeFrom: string | undefined,
): Promise<ExecutionPlan> {
  const { previous, warning } = await findPrevious(new CheckpointStore(checkpointDir), pipelineName, resumeFrom);
  const before = new Map(previous?.steps.map((s) => [s.name, s]));
  const steps = graph.steps.map((step, index): StepPlan => {
    const decision = decide(before.get(step.name), graph.fingerprints[index] as string, step.options.checkpoint, previous?.executionId);
    return {
      name: step.name,
      ...decision,
      condition: step.condition ? ("text" in step.condition ? step.condition.text : "a condition function") : undefined,
      dependsOn: (graph.upstream[index] ?? []).map((d) => graph.steps[d]?.name ?? ""),
    };
  });
  return { resumedFrom: previous?.executionId, warning, steps };
}

function decide(
  old: StepRecord | undefined,
  fingerprint: string,
  checkpointed: boolean,
  previousId: string | undefined,
): Pick<StepPlan, "action" | "reason" | "itemsDone"> {
  if (previousId === undefined) return { action: "run", reason: "no execution resumed", itemsDone: undefined };
  const decision = resumeDecision(old, fingerprint, checkpointed);
  if (decision.action === "restore") return { action: "skip", reason: `succeeded in ${previousId}, unchanged`, itemsDone: undefined };
  const run = (reason: string, itemsDone?: number) => ({ action: "run" as const, reason, itemsDone });
  switch (decision.why) {
    case "not-in-previous":
      return run(`not in ${previousId}`);
    case "not-checkpointed":
      return run("not checkpointed: always runs");
    case "changed":
      return run(`changed since ${previousId}: its command, args or a step it depends on changed`);
    case "not-succeeded": {
      const step = old as StepRecord;
      const done = step.items?.filter((item) => item?.status === "success").length;
      const items = done !== undefined ? ` (${done} of its items done, kept)` : "";
      return run(`${step.status} in ${previousId}${step.error ? `: ${step.error}` : ""}${items}`, done);
    }
  }
}
