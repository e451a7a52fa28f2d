/** A value that survives `JSON.stringify` → `JSON.parse` unchanged: what steps receive and return. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The state of one step in one execution. */
export const StepStatus = {
  PENDING: "pending",
  RUNNING: "running",
  SUCCESS: "success",
  FAILED: "failed",
  SKIPPED: "skipped",
  /** Stopped while it ran: the execution was cancelled, or another step failed. */
  CANCELLED: "cancelled",
  ROLLED_BACK: "rolled_back",
} as const;
export type StepStatus = (typeof StepStatus)[keyof typeof StepStatus];

/** The state of a whole execution. */
export const ExecutionStatus = {
  RUNNING: "running",
  SUCCESS: "success",
  FAILED: "failed",
  CANCELLED: "cancelled",
} as const;
export type ExecutionStatus = (typeof ExecutionStatus)[keyof typeof ExecutionStatus];

/** What a command receives besides its args. */
export interface StepContext {
  /** Aborts when the execution is cancelled; pass it on to anything that can be cancelled. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  readonly executionId: string;
  readonly pipelineName: string;
  readonly stepName: string;
  /** Outputs of the steps that finished before this one (including those restored on resume), by step name. */
  readonly outputs: Readonly<Record<string, Json>>;
  /** The parameters given to the run (`--param KEY=VALUE`, `fromYaml(..., { params })`). */
  readonly params: Readonly<Record<string, string>>;
  /** Write a line to the step's log (shown by the CLI, delivered as a `stepLog` event). */
  log(message: string): void;
  /** Report progress, e.g. `progress(40, 100)`. */
  progress(done: number, total?: number): void;
  /** In a map step: the item this call handles, and its position in the list. */
  readonly item?: Json;
  readonly itemIndex?: number;
}

/** A step's work: receives its args and a context, returns plain JSON (or nothing). */
export type Command<Args = Record<string, Json>> = ((args: Args, ctx: StepContext) => unknown) & {
  /**
   * Optional: checks a step's args when the step is defined (and by `pipewright validate`), so that
   * bad args are reported before anything runs. Returns the problems, none when the args are fine.
   */
  checkArgs?: (args: Record<string, Json>) => string[];
};

/** Maps command names (as written in YAML) to functions. */
export type Registry = Readonly<Record<string, Command<never>>> | ReadonlyMap<string, Command<never>>;
