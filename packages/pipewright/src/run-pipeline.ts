import { hostname } from "node:os";
import { CheckpointStore } from "./checkpoint/checkpoint-store.js";
import type { ExecutionRecord, StepRecord } from "./checkpoint/execution-record.js";
import type { EventBus, PipelineEvents } from "./events.js";
import { resolveExecuteOptions, type ExecuteOptions } from "./execute-options.js";
import { executionIdAt } from "./execution-id.js";
import { ExecutionState } from "./execution-state.js";
import type { ExecutionGraph } from "./graph.js";
import type { PipelineResult } from "./result.js";
import { rollBackCompletedSteps } from "./rollback.js";
import { resumeDecision } from "./resume-rule.js";
import { runGraph } from "./scheduler.js";
import type { RunEnvironment } from "./step-runner.js";
import { ExecutionStatus, StepStatus } from "./types.js";

/** What `execute` needs of a pipeline. */
export interface PipelineDefinition {
  name: string;
  description: string | undefined;
  checkpointDir: string;
  graph: ExecutionGraph;
  params: Readonly<Record<string, string>>;
  bus: EventBus;
}

/** Runs a pipeline once: resume, the steps as their graph allows, rollback on failure, the final checkpoint. */
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
    origin: options.origin,
    steps: initialStepRecords(pipeline.graph, previous),
  };
  const checkpoint = options.checkpoint ? await store.create(record) : undefined;
  const state = new ExecutionState(record, pipeline.bus, checkpoint, clock);
  if (warning) state.warn(warning);
  state.started(() => describeGraph(pipeline.graph));

  // Aborted by the caller's signal (cancel) or by the scheduler when a failed step stops the run.
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const env: RunEnvironment = {
    graph: pipeline.graph,
    state,
    executor: options.executor,
    clock,
    random: options.random,
    signal: stop.signal,
    params,
    concurrency: options.concurrency,
  };

  try {
    const { failed } = await runGraph(env, { stopOnError: options.stopOnError, failFast: options.failFast }, stop);
    const status = options.signal?.aborted ? ExecutionStatus.CANCELLED : failed ? ExecutionStatus.FAILED : ExecutionStatus.SUCCESS;
    if (status !== ExecutionStatus.SUCCESS && options.enableRollback) {
      await rollBackCompletedSteps(pipeline.graph.steps, state, clock);
    }
    return await state.finished(status, (clock.now() - startedAt) / 1000);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await checkpoint?.close().catch(() => {}); // already reported by the write that failed
  }
}

type GraphDescription = PipelineEvents["pipelineStarted"]["graph"];
const descriptions = new WeakMap<ExecutionGraph, GraphDescription>();

/** The graph as `pipelineStarted` describes it; made once per graph (a graph never changes). */
function describeGraph(graph: ExecutionGraph): GraphDescription {
  let description = descriptions.get(graph);
  if (!description) {
    // Frozen: every execution's listeners share it.
    description = Object.freeze(
      graph.steps.map((step, i) =>
        Object.freeze({
          name: step.name,
          dependsOn: Object.freeze((graph.upstream[i] ?? []).map((d) => graph.steps[d]?.name ?? "")) as string[],
          kind: step.map ? ("map" as const) : ("step" as const),
          group: step.group,
        }),
      ),
    ) as GraphDescription;
    descriptions.set(graph, description);
  }
  return description;
}

/** The execution `resumeFrom` names, or a warning saying why there is none. */
export async function findPrevious(
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

/**
 * Pending records, except steps that succeeded in the execution resumed with the same fingerprint; a
 * map step that did not finish there keeps the items that succeeded.
 */
function initialStepRecords(graph: ExecutionGraph, previous: ExecutionRecord | undefined): StepRecord[] {
  const before = new Map(previous?.steps.map((s) => [s.name, s]));
  return graph.steps.map((step, index) => {
    const fingerprint = graph.fingerprints[index] as string;
    const fresh: StepRecord = {
      name: step.name,
      status: StepStatus.PENDING,
      command: step.commandName,
      fingerprint,
      dependsOn: (graph.upstream[index] ?? []).map((d) => graph.steps[d]?.name ?? ""),
      group: step.group,
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
    if (!previous || !old) return fresh;
    const decision = resumeDecision(old, fingerprint, step.options.checkpoint);
    if (decision.action === "run" && decision.why === "not-succeeded" && old.items) {
      // Only succeeded items are kept: the others run again.
      return { ...fresh, items: old.items.map((item) => (item?.status === "success" ? item : null)), itemsFile: old.itemsFile };
    }
    if (decision.action === "run") return fresh;
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
