import type { Checkpoint } from "./checkpoint/checkpoint-store.js";
import type { ExecutionRecord, ItemRecord, StepRecord } from "./checkpoint/execution-record.js";
import type { Clock } from "./clock.js";
import type { EventBus, PipelineEventName, PipelineEvents } from "./events.js";
import type { PipelineResult, StepResult } from "./result.js";
import { ExecutionStatus, StepStatus, type Json } from "./types.js";

/**
 * The one place an execution's state changes. Each method updates the record, emits the matching
 * event and writes the change to the checkpoint; a terminal change is durable before it resolves.
 */
export class ExecutionState {
  readonly record: ExecutionRecord;
  /** Outputs of finished steps by name, as commands see them in `ctx.outputs`. */
  readonly outputs: Record<string, Json> = {};
  /** Indexes of succeeded steps, in the order they completed: rollback walks it backwards. */
  readonly completionOrder: number[] = [];
  readonly #bus: EventBus;
  readonly #checkpoint: Checkpoint | undefined;
  readonly #clock: Clock;

  constructor(record: ExecutionRecord, bus: EventBus, checkpoint: Checkpoint | undefined, clock: Clock) {
    this.record = record;
    this.#bus = bus;
    this.#checkpoint = checkpoint;
    this.#clock = clock;
    record.steps.forEach((step, index) => {
      if (step.status === StepStatus.SUCCESS) {
        this.outputs[step.name] = step.output;
        this.completionOrder.push(index);
      }
    });
  }

  get checkpointPath(): string | undefined {
    return this.#checkpoint?.path;
  }

  /** `graph` describes the steps for the event; called only when someone listens. */
  started(graph: () => PipelineEvents["pipelineStarted"]["graph"]): void {
    if (this.#bus.has("pipelineStarted")) {
      this.#emit("pipelineStarted", {
        description: this.record.description,
        steps: this.record.steps.map((s) => s.name),
        graph: graph(),
        checkpointPath: this.checkpointPath,
        resumedFrom: this.record.resumedFrom,
      });
    }
    this.record.steps.forEach((step, index) => {
      if (step.resumedFrom !== undefined) {
        this.#emitStep("stepResumed", index, { from: step.resumedFrom, output: step.output });
      }
    });
  }

  warn(message: string): void {
    this.#emit("pipelineWarning", { message });
  }

  /** The step ran not: its condition was false, or a step it waits for failed. */
  stepSkipped(index: number, reason: string): Promise<void> {
    const step = this.#finish(index, StepStatus.SKIPPED, 0);
    step.skipReason = reason;
    this.#emitStep("stepSkipped", index, { reason, error: undefined });
    this.#completed(index);
    return this.#persist(index, true);
  }

  /** The step was stopped while it ran: the execution was cancelled, or another step failed. */
  stepCancelled(index: number, reason: string, elapsedTime: number): Promise<void> {
    const step = this.#finish(index, StepStatus.CANCELLED, elapsedTime);
    step.error = `cancelled: ${reason}`;
    this.#emitStep("stepCancelled", index, { reason, elapsedTime });
    this.#completed(index);
    return this.#persist(index, true);
  }

  /**
   * A map step starts over `keys` (one per item). Items that succeeded in the execution resumed, with
   * the same key, are kept (wherever they were in the old list); returns how many. Their record is
   * durable before any item runs.
   */
  async mapStarted(index: number, keys: readonly string[], maxAttempts: number): Promise<number> {
    const step = this.#step(index);
    const old = step.items ?? [];
    const aligned = old.length <= keys.length && old.every((item, i) => item === null || item.key === keys[i]);
    let kept = 0;
    const keep = (item: ItemRecord | null | undefined) => (item?.status === "success" ? (kept++, item) : null);
    if (aligned) {
      step.items = Array.from(keys, (_, i) => keep(old[i]));
    } else {
      const byKey = new Map(old.flatMap((item) => (item ? [[item.key, item] as const] : [])));
      step.items = keys.map((key) => keep(byKey.get(key)));
    }
    if (this.#checkpoint && step.checkpoint) await this.#checkpoint.startItems(index, step.items, aligned ? step.itemsFile : undefined);
    this.stepStarted(index, 1, maxAttempts);
    return kept;
  }

  /** Item `item` of map step `index` ended; recorded at once, durable within one group commit. */
  itemFinished(index: number, item: number, record: ItemRecord): void {
    const step = this.#step(index);
    (step.items ??= [])[item] = record;
    if (this.#checkpoint && step.checkpoint) this.#checkpoint.recordItem(index, item, record);
  }

  stepStarted(index: number, attempt: number, maxAttempts: number): void {
    const step = this.#step(index);
    step.status = StepStatus.RUNNING;
    step.attempts = attempt;
    if (attempt === 1) step.startedAt = new Date(this.#clock.now()).toISOString();
    this.#emitStep("stepStarted", index, { attempt, maxAttempts });
    void this.#persist(index, false); // not awaited: a crash here only means the step runs again
  }

  /** An attempt failed and another follows after `delaySeconds`. */
  stepRetrying(index: number, attempt: number, error: string, elapsedTime: number, delaySeconds: number): void {
    this.#step(index).attemptErrors.push({ attempt, error, elapsedTime, retryDelay: delaySeconds });
    this.#emitStep("stepRetrying", index, { attempt: attempt + 1, error, delaySeconds });
    void this.#persist(index, false);
  }

  stepSucceeded(index: number, output: Json, elapsedTime: number): Promise<void> {
    const step = this.#finish(index, StepStatus.SUCCESS, elapsedTime);
    step.output = output;
    step.error = undefined;
    this.outputs[step.name] = output;
    this.completionOrder.push(index);
    this.#emitStep("stepSucceeded", index, { attempts: step.attempts, elapsedTime, output });
    this.#completed(index);
    return this.#persist(index, true);
  }

  /** The last attempt failed: the step is `failed`, or `skipped` when it may fail without stopping the run. */
  stepFailed(index: number, error: string, elapsedTime: number, skip: boolean): Promise<void> {
    const step = this.#finish(index, skip ? StepStatus.SKIPPED : StepStatus.FAILED, elapsedTime);
    step.attemptErrors.push({ attempt: step.attempts, error, elapsedTime });
    step.error = error;
    if (skip) {
      step.skipReason = `failed after ${step.attempts} attempt${step.attempts === 1 ? "" : "s"} (skip on error)`;
      this.#emitStep("stepSkipped", index, { reason: step.skipReason, error });
    } else {
      this.#emitStep("stepFailed", index, { attempts: step.attempts, elapsedTime, error });
    }
    this.#completed(index);
    return this.#persist(index, true);
  }

  stepRolledBack(index: number, elapsedTime: number): Promise<void> {
    this.#step(index).status = StepStatus.ROLLED_BACK;
    this.#emitStep("stepRolledBack", index, { elapsedTime });
    return this.#persist(index, true);
  }

  stepRollbackFailed(index: number, error: string): Promise<void> {
    this.#step(index).rollbackError = error;
    this.#emitStep("stepRollbackFailed", index, { error });
    return this.#persist(index, true);
  }

  stepLog(index: number, message: string): void {
    this.#emitStep("stepLog", index, { message });
  }

  stepProgress(index: number, done: number, total: number | undefined, failed?: number): void {
    this.#emitStep("stepProgress", index, { done, total, failed });
  }

  /** True when someone listens to `event`: lets callers skip work nobody sees. */
  listens(event: PipelineEventName): boolean {
    return this.#bus.has(event);
  }

  /** Records the final status, folds the journal into the checkpoint file, and emits `pipelineFinished`. */
  async finished(status: ExecutionStatus, totalTime: number): Promise<PipelineResult> {
    this.record.status = status;
    this.record.finishedAt = new Date(this.#clock.now()).toISOString();
    this.record.totalTime = totalTime;
    if (this.#checkpoint) {
      await this.#checkpoint.compact();
      await this.#checkpoint.close();
    }
    const result = this.result();
    this.#emit("pipelineFinished", { status, result });
    return result;
  }

  result(): PipelineResult {
    const steps = this.record.steps.map(toStepResult);
    const count = (status: StepStatus) => steps.reduce((n, s) => (s.status === status ? n + 1 : n), 0);
    return {
      pipelineName: this.record.pipelineName,
      executionId: this.record.executionId,
      success: this.record.status === ExecutionStatus.SUCCESS,
      status: this.record.status,
      totalSteps: steps.length,
      successfulSteps: count(StepStatus.SUCCESS),
      failedSteps: count(StepStatus.FAILED),
      cancelledSteps: count(StepStatus.CANCELLED),
      skippedSteps: count(StepStatus.SKIPPED),
      rolledBackSteps: count(StepStatus.ROLLED_BACK),
      totalTime: this.record.totalTime ?? 0,
      checkpointPath: this.checkpointPath,
      resumedFrom: this.record.resumedFrom,
      steps,
    };
  }

  /** `stepCompleted`: one event for every way a step ends (the original tool's planned `on_step_complete`). */
  #completed(index: number): void {
    if (!this.#bus.has("stepCompleted")) return;
    this.#emitStep("stepCompleted", index, { result: toStepResult(this.#step(index)) });
  }

  #step(index: number): StepRecord {
    const step = this.record.steps[index];
    if (!step) throw new Error(`No step at index ${index}`);
    return step;
  }

  #finish(index: number, status: StepStatus, elapsedTime: number): StepRecord {
    const step = this.#step(index);
    step.status = status;
    step.elapsedTime = elapsedTime;
    step.finishedAt = new Date(this.#clock.now()).toISOString();
    return step;
  }

  async #persist(index: number, durable: boolean): Promise<void> {
    const checkpoint = this.#checkpoint;
    if (!checkpoint || !this.#step(index).checkpoint) return;
    const written = checkpoint.recordStep(index, durable);
    if (!durable) return;
    await written;
    // Compacting after a number of lines proportional to the steps keeps the total cost linear.
    if (checkpoint.journalLines >= Math.max(1000, 4 * this.record.steps.length)) await checkpoint.compact();
  }

  #emit<E extends PipelineEventName>(event: E, fields: EventFields<E>): void {
    if (!this.#bus.has(event)) return;
    // One literal, not `{ ...base, ...fields }`: merging two spreads of shapes that change from event to
    // event takes a slow path in V8 (≈ 7 µs an event against 0.4), which a live display would pay per step.
    const payload = { pipelineName: this.record.pipelineName, executionId: this.record.executionId, time: this.#clock.now(), ...fields };
    this.#bus.emit(event, payload as PipelineEvents[E]);
  }

  #emitStep<E extends StepEventName>(event: E, index: number, fields: Omit<EventFields<E>, "step" | "index">): void {
    // No listener: skip building the payload (the hot path of a no-op step).
    if (!this.#bus.has(event)) return;
    // Built in one literal, as in #emit (one spread, not two).
    const { pipelineName, executionId } = this.record;
    const payload = { pipelineName, executionId, time: this.#clock.now(), step: this.#step(index).name, index, ...fields };
    this.#bus.emit(event, payload as unknown as PipelineEvents[E]);
  }
}

/** What an emitter supplies; the execution's name, id and the time are added for it. */
type EventFields<E extends PipelineEventName> = Omit<PipelineEvents[E], "pipelineName" | "executionId" | "time">;

type StepEventName = Extract<
  PipelineEventName,
  | "stepStarted"
  | "stepRetrying"
  | "stepSucceeded"
  | "stepFailed"
  | "stepSkipped"
  | "stepCancelled"
  | "stepCompleted"
  | "stepResumed"
  | "stepLog"
  | "stepProgress"
  | "stepRolledBack"
  | "stepRollbackFailed"
>;

function toStepResult(step: StepRecord): StepResult {
  return {
    name: step.name,
    status: step.status,
    attempts: step.attempts,
    elapsedTime: step.elapsedTime,
    error: step.error,
    output: step.output,
    resumedFrom: step.resumedFrom,
    skipReason: step.skipReason,
    rollbackError: step.rollbackError,
    attemptErrors: step.attemptErrors,
  };
}
