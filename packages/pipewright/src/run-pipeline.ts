import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { CheckpointStore, type Checkpoint } from "./checkpoint/checkpoint-store.js";
import type { ExecutionRecord, StepRecord } from "./checkpoint/execution-record.js";
import { nodeFileSystem, type FileSystem } from "./checkpoint/file-system.js";
import { processLiveness } from "./checkpoint/process-liveness.js";
import { acquireRunLock, isLockHeld, lockPathFor, readLock, type RunLock } from "./checkpoint/run-lock.js";
import { ConcurrentRunError, CorruptCheckpointError, type RunHolder } from "./errors.js";
import type { EventBus, PipelineEvents } from "./events.js";
import { resolveExecuteOptions, type ExecuteOptions, type ResolvedExecuteOptions } from "./execute-options.js";
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

/** The checkpoints of the executions this process is running: a record naming this pid runs only if it is here. */
const runningHere = new Set<string>();

/**
 * Runs a pipeline once: resume, the steps as their graph allows, rollback on failure, the final checkpoint.
 * With checkpoints (and unless `separateExecution`), holds the pipeline's lock in the checkpoint
 * directory from before its checkpoint is created until it has ended.
 */
export async function runPipeline(pipeline: PipelineDefinition, executeOptions?: ExecuteOptions): Promise<PipelineResult> {
  const options = resolveExecuteOptions(executeOptions);
  const { clock } = options;
  const startedAt = clock.now();
  const fs = options.fileSystem ?? nodeFileSystem;
  const store = new CheckpointStore(pipeline.checkpointDir, fs);
  const params = { ...pipeline.params, ...options.params };

  const { previous, path: previousPath, warning } = await findPrevious(store, pipeline.name, options.resumeFrom, options.discardCorruptCheckpoint);
  if (previous && previousPath) await refuseIfStillRunning(fs, pipeline, previous, previousPath);
  const executionId = executionIdAt(startedAt);
  const lock =
    options.checkpoint && !options.separateExecution
      ? await acquireRunLock(fs, pipeline.checkpointDir, pipeline.name, executionId, new Date(startedAt).toISOString())
      : undefined;
  let checkpoint: Checkpoint | undefined;
  try {
    return await runLocked(pipeline, options, { startedAt, store, params, previous, warning, executionId, lock }, (opened) => {
      checkpoint = opened;
      runningHere.add(opened.path);
    });
  } finally {
    if (checkpoint) runningHere.delete(checkpoint.path);
    await lock?.release();
  }
}

interface RunStart {
  startedAt: number;
  store: CheckpointStore;
  params: Record<string, string>;
  previous: ExecutionRecord | undefined;
  warning: string | undefined;
  executionId: string;
  lock: RunLock | undefined;
}

/** The execution itself, once it may run. */
async function runLocked(
  pipeline: PipelineDefinition,
  options: ResolvedExecuteOptions,
  { startedAt, store, params, previous, warning, executionId, lock }: RunStart,
  opened: (checkpoint: Checkpoint) => void,
): Promise<PipelineResult> {
  const { clock } = options;
  const record: ExecutionRecord = {
    pipelineName: pipeline.name,
    description: pipeline.description,
    executionId,
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
  if (checkpoint) opened(checkpoint);
  await lock?.setExecutionId(record.executionId); // the store may have made it unique
  const state = new ExecutionState(record, pipeline.bus, checkpoint, clock);
  if (warning) state.warn(warning);
  if (lock?.tookOver) state.warn(takeoverNote(lock));
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
    runId: randomUUID(),
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

/** The note of a lock taken over from a process that is gone. */
function takeoverNote(lock: RunLock): string {
  const old = lock.tookOver?.holder;
  const whose = old
    ? `process ${old.pid} on ${old.host}, since ${old.startedAt}${old.executionId === undefined ? "" : `, execution ${old.executionId}`}`
    : "unreadable";
  return `Took over the lock ${lock.path} left by a run that is gone (${whose}).`;
}

/**
 * Throws a `ConcurrentRunError` when the execution to resume is still running: its checkpoint says
 * running and names a live process (this one only if it runs it now), or a lock held names it.
 */
async function refuseIfStillRunning(fs: FileSystem, pipeline: PipelineDefinition, previous: ExecutionRecord, path: string): Promise<void> {
  const refuse = (holder: RunHolder, lockPath: string | undefined) =>
    new ConcurrentRunError({ reason: "still-running", pipelineName: pipeline.name, checkpointDir: pipeline.checkpointDir, holder, lockPath });
  if (previous.status === ExecutionStatus.RUNNING) {
    const here = previous.pid === process.pid && previous.hostname === hostname();
    if (here ? runningHere.has(path) : processLiveness(previous.pid, previous.hostname, previous.startedAt) === "alive") {
      throw refuse({ pid: previous.pid, host: previous.hostname, startedAt: previous.startedAt, executionId: previous.executionId }, undefined);
    }
  }
  const lockPath = lockPathFor(pipeline.checkpointDir, pipeline.name);
  const lock = await readLock(fs, lockPath);
  if (lock?.holder && lock.holder.executionId === previous.executionId && isLockHeld(lock)) throw refuse(lock.holder, lockPath);
}

/** The execution `resumeFrom` names (and its checkpoint), or a warning saying why there is none. */
export async function findPrevious(
  store: CheckpointStore,
  pipelineName: string,
  resumeFrom: string | undefined,
  discardCorrupt = false,
): Promise<{ previous?: ExecutionRecord; path?: string; warning?: string }> {
  if (resumeFrom === undefined) return {};
  const tried: string[] = [];
  const setAside: string[] = [];
  for (;;) {
    try {
      const path = resumeFrom === "latest" ? await store.findLatest(pipelineName) : await store.find(pipelineName, resumeFrom);
      const discarded = setAside.length > 0 ? `Set aside corrupt checkpoint(s): ${setAside.join(", ")}. ` : "";
      if (!path) {
        const which = resumeFrom === "latest" ? "no checkpoint" : `no checkpoint with id ${resumeFrom}`;
        return { warning: `${discarded}Nothing to resume: ${which} for pipeline "${pipelineName}" in ${store.dir}; starting fresh.` };
      }
      return { previous: await store.load(path), path, ...(discarded && { warning: discarded.trim() }) };
    } catch (error) {
      // Each corrupt file is set aside once; one that stays corrupt after that is not ours to guess about.
      if (!discardCorrupt || !(error instanceof CorruptCheckpointError) || tried.includes(error.path)) throw error;
      tried.push(error.path);
      setAside.push(await store.setAside(error.path));
    }
  }
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
