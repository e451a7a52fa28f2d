import type { AttemptError } from "../result.js";
import type { ExecutionStatus, Json, StepStatus } from "../types.js";

/** Everything known about one step in one execution; what checkpoints store. */
export interface StepRecord {
  name: string;
  status: StepStatus;
  /** Registry name of the command (or the function's name). */
  command: string;
  fingerprint: string;
  /** False when the step opted out of checkpoints: resume always runs it again. */
  checkpoint: boolean;
  attempts: number;
  attemptErrors: AttemptError[];
  startedAt: string | undefined;
  finishedAt: string | undefined;
  elapsedTime: number;
  error: string | undefined;
  output: Json;
  resumedFrom: string | undefined;
  skipReason: string | undefined;
  rollbackError: string | undefined;
  /** Names of the steps it waits for, and its parallel group or nested pipeline: the graph, for reports. */
  dependsOn: string[];
  group: string | undefined;
  /** For a map step: one record per item of the list, null while the item has not finished. Stored in `itemsFile`. */
  items?: Array<ItemRecord | null>;
  /** For a map step: the file its items are recorded in, beside the checkpoint (see `ItemLog`). */
  itemsFile?: string;
}

/** How one item of a map step ended. */
export interface ItemRecord {
  /** Identifies the item's value (its canonical JSON, hashed when long): resume matches items by it. */
  key: string;
  status: "success" | "failed";
  attempts: number;
  output: Json;
  error: string | undefined;
}

/** Everything known about one execution of a pipeline. */
export interface ExecutionRecord {
  pipelineName: string;
  description: string | undefined;
  executionId: string;
  status: ExecutionStatus;
  /** ISO time the execution started. */
  startedAt: string;
  finishedAt: string | undefined;
  totalTime: number | undefined;
  resumedFrom: string | undefined;
  params: Record<string, string>;
  stopOnError: boolean;
  enableRollback: boolean;
  pid: number;
  hostname: string;
  /** What the caller stored to run it again (the CLI: the file, registries and options), as given to `execute`. */
  origin: Json;
  steps: StepRecord[];
}
