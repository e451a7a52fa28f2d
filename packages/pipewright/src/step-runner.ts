import { withRetries } from "./attempts.js";
import type { Clock } from "./clock.js";
import { errorMessage } from "./errors.js";
import type { ExecutionState } from "./execution-state.js";
import type { Executor } from "./executor.js";
import { evaluateExpression, isTruthy, type ExpressionScope } from "./expressions/expression.js";
import { expressionScope } from "./expression-scope.js";
import { resolveTemplate } from "./expressions/template.js";
import type { ExecutionGraph } from "./graph.js";
import { toJsonValue } from "./json-value.js";
import { runMapStep } from "./map-runner.js";
import type { StepDefinition } from "./step-definition.js";
import type { Json, StepContext } from "./types.js";

/** What running steps needs: shared by every step of one execution. */
export interface RunEnvironment {
  graph: ExecutionGraph;
  state: ExecutionState;
  executor: Executor;
  clock: Clock;
  random: () => number;
  /** Aborts when the execution is cancelled, or when a failed step stops the run (fail fast). */
  signal: AbortSignal;
  params: Readonly<Record<string, string>>;
  /** Steps, and a map step's items, that run at once. */
  concurrency: number;
  /** `StepTask.runId`: this execute() call's own id. */
  runId: string;
}

export type StepOutcome = "success" | "failed" | "skipped" | "cancelled";

/**
 * Runs one step to its end: its condition, its args' expressions, then its attempts (or its items, for
 * a map step). Every way it can end is recorded in the execution state.
 */
export async function runStep(index: number, env: RunEnvironment): Promise<StepOutcome> {
  const { state, clock } = env;
  const step = env.graph.steps[index] as StepDefinition;
  const params = step.params ?? env.params;
  let scope: ExpressionScope | undefined;
  const lazyScope = () => (scope ??= expressionScope(env.graph, state, step, params));

  let args: Json;
  try {
    if (step.condition && !(await conditionHolds(step, index, lazyScope, env, params))) {
      const text = "text" in step.condition ? `\`${step.condition.text}\`` : "its condition function";
      await state.stepSkipped(index, `condition is false: ${text}`);
      return "skipped";
    }
    if (step.map) return await runMapStep(step, index, lazyScope, env); // args resolve per item (`${{ item }}`)
    args = step.args.hasExpressions ? resolveTemplate(step.args, lazyScope()) : (step.options.args);
  } catch (error) {
    // A condition that throws or an expression without a value: retrying would give the same.
    return await failStep(state, step, index, errorMessage(error), 0);
  }

  const startedAt = clock.now();
  const elapsed = () => (clock.now() - startedAt) / 1000;
  const maxAttempts = step.options.retryCount + 1;
  const outcome = await withRetries(
    step.options,
    env,
    async (attempt, signal) => {
      const task = { runId: env.runId, stepName: step.name, commandName: step.commandName, command: step.command, args: args as Record<string, Json> };
      const value = await env.executor.run(task, stepContext(step, index, attempt, signal, env, params));
      return toJsonValue(value, `The output of step "${step.name}"`);
    },
    {
      started: (attempt) => state.stepStarted(index, attempt, maxAttempts),
      retrying: (attempt, error, delay) => state.stepRetrying(index, attempt, errorMessage(error), elapsed(), delay),
    },
  );
  if (outcome.ok) {
    await state.stepSucceeded(index, outcome.value as Json, elapsed());
    return "success";
  }
  if (outcome.cancelled) {
    await state.stepCancelled(index, errorMessage(env.signal.reason), elapsed());
    return "cancelled";
  }
  return failStep(state, step, index, errorMessage(outcome.error), elapsed());
}

/** Records that the step failed; one that may fail without stopping the run (`skipOnError`) ends skipped. */
export async function failStep(state: ExecutionState, step: StepDefinition, index: number, error: string, elapsedTime: number): Promise<StepOutcome> {
  await state.stepFailed(index, error, elapsedTime, step.options.skipOnError);
  return step.options.skipOnError ? "skipped" : "failed";
}

async function conditionHolds(
  step: StepDefinition,
  index: number,
  scope: () => ExpressionScope,
  env: RunEnvironment,
  params: Readonly<Record<string, string>>,
): Promise<boolean> {
  const condition = step.condition;
  if (!condition) return true;
  if ("expression" in condition) return isTruthy(evaluateExpression(condition.expression, scope()));
  return Boolean(await condition.function(stepContext(step, index, 1, env.signal, env, params)));
}

/** The context a command receives. */
export function stepContext(
  step: StepDefinition,
  index: number,
  attempt: number,
  signal: AbortSignal,
  env: RunEnvironment,
  params: Readonly<Record<string, string>>,
): StepContext {
  const { state } = env;
  return {
    signal,
    attempt,
    executionId: state.record.executionId,
    pipelineName: state.record.pipelineName,
    stepName: step.name,
    outputs: state.outputs,
    params,
    log: (message) => state.stepLog(index, message),
    progress: (done, total) => state.stepProgress(index, done, total),
  };
}
