import type { ExecutionStatus, Json } from "./types.js";
import type { PipelineResult, StepResult } from "./result.js";

interface EventBase {
  pipelineName: string;
  executionId: string;
  /** Milliseconds since the epoch. */
  time: number;
}

interface StepEventBase extends EventBase {
  step: string;
  /** Position of the step in the pipeline, from 0. */
  index: number;
}

/** Every event the engine emits, by name. The CLI's display and the history are built on these alone. */
export interface PipelineEvents {
  pipelineStarted: EventBase & {
    description: string | undefined;
    steps: string[];
    /** Every step with what it waits for, its kind, and its group (parallel group or nested pipeline). */
    graph: Array<{ name: string; dependsOn: string[]; kind: "step" | "map"; group: string | undefined }>;
    checkpointPath: string | undefined;
    resumedFrom: string | undefined;
  };
  /** Something the user should know that is not an error (e.g. resume found no checkpoint). */
  pipelineWarning: EventBase & { message: string };
  stepStarted: StepEventBase & { attempt: number; maxAttempts: number };
  stepRetrying: StepEventBase & { attempt: number; error: string; delaySeconds: number };
  stepSucceeded: StepEventBase & { attempts: number; elapsedTime: number; output: Json };
  stepFailed: StepEventBase & { attempts: number; elapsedTime: number; error: string };
  stepSkipped: StepEventBase & { reason: string; error: string | undefined };
  /** Stopped while it ran: the execution was cancelled, or (fail fast) another step failed. */
  stepCancelled: StepEventBase & { reason: string; elapsedTime: number };
  /** After the specific event of every way a step ends (succeeded, failed, skipped, cancelled): one hook for all. */
  stepCompleted: StepEventBase & { result: StepResult };
  /** A step that succeeded in the execution being resumed: not run again, its output handed on. */
  stepResumed: StepEventBase & { from: string; output: Json };
  stepLog: StepEventBase & { message: string };
  /** From `ctx.progress`, and from map steps as items end (`failed` items are among the `done`). */
  stepProgress: StepEventBase & { done: number; total: number | undefined; failed: number | undefined };
  stepRolledBack: StepEventBase & { elapsedTime: number };
  stepRollbackFailed: StepEventBase & { error: string };
  pipelineFinished: EventBase & { status: ExecutionStatus; result: PipelineResult };
  /** A listener threw; the run goes on. */
  hookError: EventBase & { event: string; error: string };
}

export type PipelineEventName = keyof PipelineEvents;
export type Listener<E extends PipelineEventName> = (payload: PipelineEvents[E]) => unknown;

/** A typed event bus whose listeners can never break the run that emits. */
export class EventBus {
  readonly #listeners = new Map<PipelineEventName, Set<Listener<never>>>();

  on<E extends PipelineEventName>(event: E, listener: Listener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** True when someone listens: lets hot paths skip building payloads nobody reads. */
  has(event: PipelineEventName): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<E extends PipelineEventName>(event: E, payload: PipelineEvents[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        const returned = (listener as Listener<E>)(payload);
        if (returned instanceof Promise) returned.catch((error: unknown) => this.#reportHookError(event, payload, error));
      } catch (error) {
        this.#reportHookError(event, payload, error);
      }
    }
  }

  #reportHookError(event: PipelineEventName, payload: EventBase, error: unknown): void {
    if (event === "hookError") return; // a failing error reporter must not loop
    this.emit("hookError", {
      pipelineName: payload.pipelineName,
      executionId: payload.executionId,
      time: Date.now(),
      event,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
