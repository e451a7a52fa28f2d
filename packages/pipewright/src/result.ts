import type { ExecutionStatus, Json, StepStatus } from "./types.js";

/** One failed attempt of a step. */
export interface AttemptError {
  attempt: number;
  error: string;
  /** Seconds from the step's start to this failure. */
  elapsedTime: number;
  /** Seconds waited before the next attempt; absent for the last one. */
  retryDelay?: number;
}

/** How one step of an execution ended. */
export interface StepResult {
  name: string;
  status: StepStatus;
  /** Attempts made in this execution (0 when restored from the execution resumed). */
  attempts: number;
  /** Seconds, over all attempts (for a restored step: as recorded when it ran). */
  elapsedTime: number;
  /** The last error, when the step failed or was skipped because of one. */
  error: string | undefined;
  output: Json;
  /** The execution this step's success was restored from, when resume skipped it. */
  resumedFrom: string | undefined;
  /** Why the step did not run, when it was skipped. */
  skipReason: string | undefined;
  /** Set when the step's rollback threw: its effects may remain. */
  rollbackError: string | undefined;
  attemptErrors: AttemptError[];
}

/** What `pipeline.execute()` returns. Times in seconds. */
export interface PipelineResult {
  pipelineName: string;
  executionId: string;
  success: boolean;
  status: ExecutionStatus;
  totalSteps: number;
  successfulSteps: number;
  failedSteps: number;
  /** Steps stopped while they ran (cancellation, or another step's failure). */
  cancelledSteps: number;
  skippedSteps: number;
  rolledBackSteps: number;
  totalTime: number;
  /** Where the checkpoint is; undefined when checkpoints are off. */
  checkpointPath: string | undefined;
  resumedFrom: string | undefined;
  steps: StepResult[];
}
