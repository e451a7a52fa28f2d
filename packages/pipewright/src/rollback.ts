import type { Clock } from "./clock.js";
import { errorMessage } from "./errors.js";
import type { ExecutionState } from "./execution-state.js";
import type { StepDefinition } from "./step-definition.js";
import { StepStatus } from "./types.js";

/**
 * Undoes every completed step, latest completion first. A rollback that throws is recorded on its
 * step and the others still run. Cancellation does not interrupt it: a half-undone state is worse.
 */
export async function rollBackCompletedSteps(
  steps: readonly StepDefinition[],
  state: ExecutionState,
  clock: Clock,
): Promise<void> {
  for (const index of [...state.completionOrder].reverse()) {
    const step = steps[index];
    const record = state.record.steps[index];
    if (!step?.rollback || record?.status !== StepStatus.SUCCESS) continue;
    const startedAt = clock.now();
    try {
      await step.rollback.run({
        stepName: step.name,
        pipelineName: state.record.pipelineName,
        executionId: state.record.executionId,
        output: record.output,
        params: state.record.params,
        log: (message) => state.stepLog(index, message),
      });
    } catch (error) {
      await state.stepRollbackFailed(index, errorMessage(error));
      continue;
    }
    await state.stepRolledBack(index, (clock.now() - startedAt) / 1000);
  }
}
