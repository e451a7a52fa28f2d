import type { SourceLocation } from "./errors.js";
import type { Json } from "./types.js";

/**
 * A pipeline as data: what YAML loads into and what `toYaml` writes out. Commands are registry names
 * and conditions are expression text, so a spec is plain JSON and can be stored, compared and sent to
 * another machine.
 */
export interface PipelineSpec {
  name: string;
  description?: string;
  /** Default values of the parameters (`ctx.params`, and `${NAME}` in YAML): the YAML `params:` block. */
  params?: Record<string, string>;
  /** Where the steps run (YAML `executor:`); absent: wherever `execute` is told, by default here. */
  executor?: ExecutorSpec;
  steps: StepSpec[];
}

/**
 * Where a pipeline's steps run, as data: in this process (`local`) or as jobs for workers through Redis
 * (`bullmq`, with where Redis is). The engine only records it; whoever runs the pipeline (the CLI)
 * builds the executor from it. Never a password: pipeline files get shared and checked in.
 */
export interface ExecutorSpec {
  type: "local" | "bullmq";
  /** `redis://host:port[/db]` or `rediss://…` (bullmq only). */
  redis?: string;
  /** The queue the workers take jobs from (bullmq only). */
  queue?: string;
  /** Prefix of every Redis key (bullmq only). */
  prefix?: string;
  /** Connect to Redis over TLS (bullmq only). */
  tls?: boolean;
  /** Where `executor:` is written, for error messages. Not written out. */
  location?: SourceLocation;
}

/** One entry of `steps:`: a command step (maybe a map step), a parallel group, or a nested pipeline. */
export type StepSpec = CommandStepSpec | ParallelGroupSpec | SubpipelineSpec;

/** What every kind of entry has. */
interface StepSpecBase {
  name: string;
  /**
   * The steps this one waits for (YAML `depends_on`). Absent: the entry before it; `[]`: none.
   * For a group or a nested pipeline, what its first steps wait for.
   */
  dependsOn?: string[];
  /** Where the entry is defined, for error messages. Not written out. */
  location?: SourceLocation;
}

/** A step that runs a registry command (once, or once per item when `map` is set). */
export interface CommandStepSpec extends StepSpecBase {
  /** Registry name of the command. */
  command: string;
  /** The command's args; strings may hold `${{ expression }}`s, resolved when the step starts. */
  args: Record<string, Json>;
  description?: string;
  retryCount?: number;
  retryDelay?: number;
  backoff?: number;
  maxRetryDelay?: number;
  jitter?: number;
  skipOnError?: boolean;
  checkpoint?: boolean;
  /** Seconds an attempt may run before it is aborted and counts as failed. */
  timeout?: number;
  /** An expression (YAML `if:`, e.g. `${{ params.MODE == 'full' }}`): when false, the step is skipped. */
  condition?: string;
  /** Runs the command once per item. */
  map?: MapSpec;
  /** A registry command that undoes the step, with its own args. */
  rollback?: { command: string; args: Record<string, Json> };
  /** Where the step's `command` value is, for "Unknown command" errors. Not written out. */
  commandLocation?: SourceLocation;
  /** Where the `if:` value is, for expression errors. Not written out. */
  conditionLocation?: SourceLocation;
}

/** How a map step fans out. */
export interface MapSpec {
  /** The items: a list, or an expression giving one (e.g. `${{ steps.list-files.output.files }}`). */
  items: Json[] | string;
  /** The arg that receives the item. @default "item" */
  itemArg?: string;
  /** Items run at once. @default the execution's concurrency */
  concurrency?: number;
  /** Failed items tolerated before the step fails: a count (`3`) or a percentage (`"5%"`). @default 0 */
  allowedFailures?: number | string;
}

/** Steps that run side by side (YAML `parallel:`); the entry after the group waits for all of them. */
export interface ParallelGroupSpec extends StepSpecBase {
  parallel: StepSpec[];
}

/** Another pipeline run as part of this one (YAML `pipeline:`); its steps are named `<name>/<inner>`. */
export interface SubpipelineSpec extends StepSpecBase {
  pipeline: PipelineSpec;
  /** The file it was loaded from, relative to the including file as written; written back instead of the steps. */
  path?: string;
  /** Params given to the nested pipeline by the including one (already applied to `pipeline`). */
  params?: Record<string, string>;
}

export function isParallelGroupSpec(step: StepSpec): step is ParallelGroupSpec {
  return "parallel" in step;
}

export function isSubpipelineSpec(step: StepSpec): step is SubpipelineSpec {
  return "pipeline" in step;
}

export function isCommandStepSpec(step: StepSpec): step is CommandStepSpec {
  return "command" in step;
}

/** Every command a spec names (steps and rollbacks, in groups and nested pipelines too). */
export function specCommandNames(spec: PipelineSpec): string[] {
  const names = new Set<string>();
  const visit = (step: StepSpec): void => {
    if (isParallelGroupSpec(step)) step.parallel.forEach(visit);
    else if (isSubpipelineSpec(step)) step.pipeline.steps.forEach(visit);
    else {
      names.add(step.command);
      if (step.rollback) names.add(step.rollback.command);
    }
  };
  spec.steps.forEach(visit);
  return [...names];
}
