import { hostname } from "node:os";
import { setImmediate as nextTurn } from "node:timers/promises";
import { CheckpointStore } from "./checkpoint/checkpoint-store.js";
import type { ExecutionRecord, StepRecord } from "./checkpoint/execution-record.js";
import type { EventBus } from "./events.js";
import { resolveExecuteOptions, type ExecuteOptions } from "./execute-options.js";
import { executionIdAt } from "./execution-id.js";
import { ExecutionState } from "./execution-state.js";
import type { PipelineResult } from "./result.js";
import { rollBackCompletedSteps } from "./rollback.js";
import type { StepDefinition } from "./step-definition.js";
import { runStep, type RunEnvironment } from "./step-runner.js";
import { ExecutionStatus, StepStatus } from "./types.js";

const TURN_EVERY_MS = 20;

/** What `execute` needs of a pipeline. */
export interface PipelineDefinition {
  name: string;
  description: string | undefined;
  checkpointDir: string;
  steps: readonly StepDefinition[];
  params: Readonly<Record<string, string>>;
  bus: EventBus;
}

/** Runs a pipeline once: resume, steps in order, rollback on failure, the final checkpoint. */
export async function runPipeline(pipeline: PipelineDefinition, executeOptions?: ExecuteOptions): Promise<PipelineResult> {
  const options = resolveExecuteOptions(executeOptions);
  const { clock } = options;
  const startedAt = clock.now();
  const store = new CheckpointStore(pipeline.checkpointDir, options.fileSystem);
  const params = { ...pipeline.params, ...options.params };

  const { previous, warning } = await findPrevious(store, pipeline.name, options.resumeFrom);
  const record: ExecutionRecord = {
    pipelineName: pipeline.name,
    description: pipeline.description,
    executionId: executionIdAt(startedAt),
    status: ExecutionStatus.RUNNING,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: undefined,
    totalTime: undefined,
    resumedFrom: previous?.executionId,
    params,
    stopOnError: options.stopOnError,
    enableRollback: options.enableRollback,
    pid: process.pid,
    hostname: hostname(),
    steps: initialStepRecords(pipeline.steps, previous),
  };
  const checkpoint = options.checkpoint ? await store.create(record) : undefined;
  const state = new ExecutionState(record, pipeline.bus, checkpoint, clock);
  if (warning) state.warn(warning);
  state.started();

  const cancel = new AbortController();
  const onAbort = () => cancel.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const env: RunEnvironment = {
    state,
    executor: options.executor,
    clock,
    random: options.random,
    signal: cancel.signal,
    params,
  };

  try {
    let failed = false;
    let lastTurn = performance.now();
    for (const [index, step] of pipeline.steps.entries()) {
      if (record.steps[index]?.status === StepStatus.SUCCESS) continue; // restored by resume
      // Synchronous commands never give the event loop a turn: without one now and then, timers and
      // signal handlers (Ctrl-C) would wait for the whole run. Real time, not the injected clock.
      if (performance.now() - lastTurn > TURN_EVERY_MS) {
        await nextTurn();
        lastTurn = performance.now();
      }
      if (cancel.signal.aborted) break;
      const outcome = await runStep(step, index, env);
      if (outcome === "failed") failed = true;
      if (outcome === "cancelled" || (outcome === "failed" && options.stopOnError)) break;
    }
    const status = cancel.signal.aborted ? ExecutionStatus.CANCELLED : failed ? ExecutionStatus.FAILED : ExecutionStatus.SUCCESS;
    if (status !== ExecutionStatus.SUCCESS && options.enableRollback) {
      await rollBackCompletedSteps(pipeline.steps, state, clock);
    }
    return await state.finished(status, (clock.now() - startedAt) / 1000);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await checkpoint?.close().catch(() => {}); // already reported by the write that failed
  }
}

async function findPrevious(
  store: CheckpointStore,
  pipelineName: string,
  resumeFrom: string | undefined,
): Promise<{ previous?: ExecutionRecord; warning?: string }> {
  if (resumeFrom === undefined) return {};
  const path =
    resumeFrom === "latest" ? await store.findLatest(pipelineName) : await store.find(pipelineName, resumeFrom);
  if (!path) {
    const which = resumeFrom === "latest" ? "no checkpoint" : `no checkpoint with id ${resumeFrom}`;
    return { warning: `Nothing to resume: ${which} for pipeline "${pipelineName}" in ${store.dir}; starting fresh.` };
  }
  return { previous: await store.load(path) };
}

/** Pending records, except steps that succeeded in the execution resumed with the same fingerprint. */
function initialStepRecords(steps: readonly StepDefinition[], previous: ExecutionRecord | undefined): StepRecord[] {
  const before = new Map(previous?.steps.map((s) => [s.name, s]));
  return steps.map((step) => {
    const fresh: StepRecord = {
      name: step.name,
      status: StepStatus.PENDING,
      command: step.commandName,
      fingerprint: step.fingerprint,
      checkpoint: step.options.checkpoint,
      attempts: 0,
      attemptErrors: [],
      startedAt: undefined,
      finishedAt: undefined,
      elapsedTime: 0,
      error: undefined,
      output: null,
      resumedFrom: undefined,
      skipReason: undefined,
      rollbackError: undefined,
    };
    const old = before.get(step.name);
    const reusable =
      previous && old?.status === StepStatus.SUCCESS && old.checkpoint && step.options.checkpoint && old.fingerprint === step.fingerprint;
    if (!reusable) return fresh;
    return {
      ...fresh,
      status: StepStatus.SUCCESS,
      startedAt: old.startedAt,
      finishedAt: old.finishedAt,
      elapsedTime: old.elapsedTime,
      output: old.output,
      resumedFrom: old.resumedFrom ?? previous.executionId,
    };
  });
}
