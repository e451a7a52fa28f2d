import { availableParallelism } from "node:os";
import type { FileSystem } from "./checkpoint/file-system.js";
import { systemClock, type Clock } from "./clock.js";
import { ValidationError } from "./errors.js";
import { localExecutor, type Executor } from "./executor.js";
import type { Json } from "./types.js";

/** Options of `pipeline.execute()`. */
export interface ExecuteOptions {
  /** Stop at the first failed step. When false, the run goes on but does not count as a success. @default true */
  stopOnError?: boolean;
  /** Steps (and items of a map step) that run at once. @default the number of CPUs */
  concurrency?: number;
  /** When a failed step stops the run, abort the steps still running through their signal; false lets them finish. @default true */
  failFast?: boolean;
  /** When the run fails, undo every completed step (latest first) with its `rollback`. @default false */
  enableRollback?: boolean;
  /** Resume an earlier execution: `"latest"` or an execution id. Steps that succeeded there, unchanged, are not run again. */
  resumeFrom?: string;
  /** Cancels the run: running commands see their `ctx.signal` abort. */
  signal?: AbortSignal;
  /** Parameters handed to commands as `ctx.params`, over those the pipeline was loaded with. */
  params?: Record<string, string>;
  /** Write checkpoints. Off, nothing is written and the run cannot be resumed. @default true */
  checkpoint?: boolean;
  /**
   * Run even while another run of this pipeline holds its lock in the checkpoint directory, as an
   * execution of its own that neither takes nor checks the lock. Without it, such a run is refused with
   * a `ConcurrentRunError` naming the process that holds the lock. Resuming an execution that is still
   * running is refused either way. @default false
   */
  separateExecution?: boolean;
  /**
   * When the checkpoint to resume (or another of the pipeline's, while looking for the latest) is
   * corrupt, set it aside (files renamed `*.corrupt-<time>`, nothing deleted) and go on; without it
   * such a file stops the run with a `CorruptCheckpointError` that names it. @default false
   */
  discardCorruptCheckpoint?: boolean;
  /** Where commands run. @default the local executor */
  executor?: Executor;
  /** Time source (tests pass a fake one). @default the system clock */
  clock?: Clock;
  /** Random numbers in [0, 1) for jitter. @default Math.random */
  random?: () => number;
  /** File operations for checkpoints (tests inject failures). @default node:fs/promises */
  fileSystem?: FileSystem;
  /** Plain JSON stored in the checkpoint as is: how to run the pipeline again (the CLI stores its file and options). */
  origin?: Json;
}

export type ResolvedExecuteOptions = Required<Omit<ExecuteOptions, "resumeFrom" | "signal" | "fileSystem">> &
  Pick<ExecuteOptions, "resumeFrom" | "signal" | "fileSystem">;

export function resolveExecuteOptions(options: ExecuteOptions = {}): ResolvedExecuteOptions {
  const resolved = {
    stopOnError: options.stopOnError ?? true,
    concurrency: options.concurrency ?? availableParallelism(),
    failFast: options.failFast ?? true,
    enableRollback: options.enableRollback ?? false,
    resumeFrom: options.resumeFrom,
    signal: options.signal,
    params: options.params ?? {},
    checkpoint: options.checkpoint ?? true,
    separateExecution: options.separateExecution ?? false,
    discardCorruptCheckpoint: options.discardCorruptCheckpoint ?? false,
    executor: options.executor ?? localExecutor,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    fileSystem: options.fileSystem,
    origin: options.origin ?? null,
  };
  if (resolved.resumeFrom !== undefined && (typeof resolved.resumeFrom !== "string" || resolved.resumeFrom === "")) {
    throw new ValidationError(`Expected \`resumeFrom\` to be "latest" or an execution id, got \`${String(resolved.resumeFrom)}\``);
  }
  if (!Number.isInteger(resolved.concurrency) || resolved.concurrency < 1) {
    throw new ValidationError(`Expected \`concurrency\` to be an integer ≥ 1, got \`${String(resolved.concurrency)}\``);
  }
  return resolved;
}
