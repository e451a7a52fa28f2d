import type { Clock } from "./clock.js";
import { errorMessage } from "./errors.js";
import type { ExecutionState } from "./execution-state.js";
import type { Executor } from "./executor.js";
import { toJsonValue } from "./json-value.js";
import { isRetryable, retryDelaySeconds } from "./retry-policy.js";
import type { StepDefinition } from "./step-definition.js";
import type { StepContext } from "./types.js";

/** What the scheduler needs to run steps: shared by every step of one execution. */
export interface RunEnvironment {
  state: ExecutionState;
  executor: Executor;
  clock: Clock;
  random: () => number;
  signal: AbortSignal;
  params: Readonly<Record<string, string>>;
}

export type StepOutcome = "success" | "failed" | "skipped" | "cancelled";

/**
 * Runs one step to its end: up to `retryCount + 1` attempts, waiting with exponential backoff between
 * them, stopping at once for errors not worth retrying, and on cancellation.
 */
export async function runStep(step: StepDefinition, index: number, env: RunEnvironment): Promise<StepOutcome> {
  const { state, clock, signal } = env;
  const options = step.options;
  const maxAttempts = options.retryCount + 1;
  const startedAt = clock.now();
  const elapsed = () => (clock.now() - startedAt) / 1000;
  let lastError = "";

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    state.stepStarted(index, attempt, maxAttempts);
    try {
      const value = await env.executor.run(
        { stepName: step.name, commandName: step.commandName, command: step.command, args: options.args },
        createContext(step, index, attempt, env),
      );
      await state.stepSucceeded(index, toJsonValue(value, `The output of step "${step.name}"`), elapsed());
      return "success";
    } catch (error) {
      lastError = errorMessage(error);
      if (signal.aborted) break;
      if (attempt === maxAttempts || !isRetryable(options, error, attempt)) break;
      const delay = retryDelaySeconds(options, attempt, env.random);
      state.stepRetrying(index, attempt, lastError, elapsed(), delay);
      try {
        await clock.sleep(delay * 1000, signal);
      } catch {
        break; // cancelled while waiting
      }
    }
  }

  if (signal.aborted) {
    await state.stepFailed(index, `cancelled: ${errorMessage(signal.reason)}`, elapsed(), false);
    return "cancelled";
  }
  await state.stepFailed(index, lastError, elapsed(), options.skipOnError);
  return options.skipOnError ? "skipped" : "failed";
}

function createContext(step: StepDefinition, index: number, attempt: number, env: RunEnvironment): StepContext {
  const { state } = env;
  return {
    signal: env.signal,
    attempt,
    executionId: state.record.executionId,
    pipelineName: state.record.pipelineName,
    stepName: step.name,
    outputs: state.outputs,
    params: env.params,
    log: (message) => state.stepLog(index, message),
    progress: (done, total) => state.stepProgress(index, done, total),
  };
}
