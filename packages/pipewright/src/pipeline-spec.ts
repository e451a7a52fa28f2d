import type { SourceLocation } from "./errors.js";
import type { Json } from "./types.js";

/**
 * A pipeline as data: what YAML loads into and what `toYaml` writes out. Commands are registry names,
 * so a spec is plain JSON and can be stored, compared and sent to another machine.
 */
export interface PipelineSpec {
  name: string;
  description?: string;
  /** Default values of the parameters (`ctx.params`, and `${NAME}` in YAML): the YAML `params:` block. */
  params?: Record<string, string>;
  steps: StepSpec[];
}

export interface StepSpec {
  name: string;
  /** Registry name of the command. */
  command: string;
  args: Record<string, Json>;
  description?: string;
  retryCount?: number;
  retryDelay?: number;
  backoff?: number;
  maxRetryDelay?: number;
  jitter?: number;
  skipOnError?: boolean;
  checkpoint?: boolean;
  /** A registry command that undoes the step, with its own args. */
  rollback?: { command: string; args: Record<string, Json> };
  /** Where the step is defined, for error messages. Not written out. */
  location?: SourceLocation;
  /** Where the step's `command` value is, for "Unknown command" errors. Not written out. */
  commandLocation?: SourceLocation;
}
