import { ValidationError } from "./errors.js";
import type { Command, Json, StepContext } from "./types.js";

/** Undo a step's effects. A function, or a registry command run with its own args. */
export type Rollback =
  | ((ctx: RollbackContext) => unknown)
  | { command: string | Command; args?: Record<string, Json> };

/** What a rollback receives. */
export interface RollbackContext {
  readonly stepName: string;
  readonly pipelineName: string;
  readonly executionId: string;
  /** The output the step returned when it completed. */
  readonly output: Json;
  readonly params: Readonly<Record<string, string>>;
  log(message: string): void;
}

/** Decides whether a step runs; when it returns false the step is `skipped`. */
export type StepCondition = (ctx: StepContext) => boolean | Promise<boolean>;

/** Options of `pipeline.addStep(name, command, options)`. Durations are in seconds. */
export interface StepOptions<Args = Record<string, Json>> {
  /** The command's first argument. Plain JSON, so that it can be checkpointed and fingerprinted. @default {} */
  args?: Args;
  /** Retries after the first attempt fails; up to `retryCount + 1` attempts in all. @default 0 */
  retryCount?: number;
  /** Seconds before the first retry. @default 1 */
  retryDelay?: number;
  /** Factor applied to the delay for each further retry. @default 2 */
  backoff?: number;
  /** Upper bound of the delay between attempts, in seconds. @default Infinity */
  maxRetryDelay?: number;
  /**
   * Randomises each delay down by up to this fraction (0–1); `true` is 1 ("full jitter").
   * @default 0
   */
  jitter?: number | boolean;
  /**
   * Return false for errors not worth retrying. `PermanentError`s are never retried.
   * @default () => true
   */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Undoes the step when a later step fails and rollback is enabled. */
  rollback?: Rollback;
  /** When all attempts fail, mark the step `skipped` and go on; the run can still succeed. @default false */
  skipOnError?: boolean;
  /** Record this step in the checkpoint, so that resume can skip it once it succeeded. @default true */
  checkpoint?: boolean;
  /** A line shown in listings and written to YAML. */
  description?: string;
  /**
   * The steps this one waits for, by name; a parallel group's or nested pipeline's name means all of it.
   * `[]`: none, the step may start at once. @default the step (or group) added before it
   */
  dependsOn?: string[];
  /**
   * Run the step only when this holds: a function of the context, or an expression such as
   * `"params.MODE == 'full' && steps.stage.status == 'success'"`. False: the step is `skipped`.
   */
  condition?: StepCondition | string;
  /** Seconds an attempt may run; then its signal aborts and the attempt fails ("timed out after N s") and may be retried. */
  timeout?: number;
}

/** Step options with every default applied and every value checked. */
export interface ResolvedStepOptions {
  args: Record<string, Json>;
  retryCount: number;
  retryDelay: number;
  backoff: number;
  maxRetryDelay: number;
  jitter: number;
  shouldRetry: ((error: unknown, attempt: number) => boolean) | undefined;
  rollback: Rollback | undefined;
  skipOnError: boolean;
  checkpoint: boolean;
  description: string | undefined;
  /** As given; undefined means "the step before". */
  dependsOn: string[] | undefined;
  condition: StepCondition | string | undefined;
  timeout: number | undefined;
}

export const STEP_OPTION_DEFAULTS = {
  retryCount: 0,
  retryDelay: 1,
  backoff: 2,
  maxRetryDelay: Number.POSITIVE_INFINITY,
  jitter: 0,
  skipOnError: false,
  checkpoint: true,
} as const;

/** Whether option `key` has its default value: specs and YAML files leave such options out. */
export function isDefaultOption(key: string, value: unknown): boolean {
  return Object.hasOwn(STEP_OPTION_DEFAULTS, key) && (STEP_OPTION_DEFAULTS as Record<string, unknown>)[key] === value;
}

/** Applies defaults and checks every value; throws a `ValidationError` naming the step and the option. */
export function resolveStepOptions(stepName: string, options: StepOptions<unknown> = {}): ResolvedStepOptions {
  const problems: string[] = [];
  const expect = (ok: boolean, option: string, wanted: string, got: unknown) => {
    if (!ok) problems.push(`Step "${stepName}": expected \`${option}\` to be ${wanted}, got \`${show(got)}\``);
  };
  const o = { ...STEP_OPTION_DEFAULTS, ...withoutUndefined(options) };

  expect(Number.isInteger(o.retryCount) && o.retryCount >= 0, "retryCount", "an integer ≥ 0", o.retryCount);
  expect(isNonNegative(o.retryDelay), "retryDelay", "a number of seconds ≥ 0", o.retryDelay);
  expect(typeof o.backoff === "number" && o.backoff >= 1, "backoff", "a number ≥ 1", o.backoff);
  expect(isNonNegative(o.maxRetryDelay), "maxRetryDelay", "a number of seconds ≥ 0", o.maxRetryDelay);
  const jitter = o.jitter === true ? 1 : o.jitter === false ? 0 : o.jitter;
  expect(typeof jitter === "number" && jitter >= 0 && jitter <= 1, "jitter", "a number from 0 to 1 or a boolean", o.jitter);
  expect(typeof o.skipOnError === "boolean", "skipOnError", "a boolean", o.skipOnError);
  expect(typeof o.checkpoint === "boolean", "checkpoint", "a boolean", o.checkpoint);
  const args = o.args ?? {};
  expect(isPlainObject(args), "args", "an object of plain JSON values", args);
  expect(o.shouldRetry === undefined || typeof o.shouldRetry === "function", "shouldRetry", "a function", o.shouldRetry);
  expect(o.rollback === undefined || typeof o.rollback === "function" || isPlainObject(o.rollback), "rollback", "a function or { command, args }", o.rollback);
  expect(
    o.dependsOn === undefined || (Array.isArray(o.dependsOn) && o.dependsOn.every((d) => typeof d === "string")),
    "dependsOn",
    "a list of step names",
    o.dependsOn,
  );
  expect(o.condition === undefined || ["function", "string"].includes(typeof o.condition), "condition", "a function or an expression", o.condition);
  expect(o.timeout === undefined || (typeof o.timeout === "number" && o.timeout > 0), "timeout", "a number of seconds > 0", o.timeout);

  if (problems.length > 0) throw new ValidationError(problems.map((message) => ({ message })));
  return {
    args: args as Record<string, Json>,
    retryCount: o.retryCount,
    retryDelay: o.retryDelay,
    backoff: o.backoff,
    maxRetryDelay: o.maxRetryDelay,
    jitter,
    shouldRetry: o.shouldRetry,
    rollback: o.rollback,
    skipOnError: o.skipOnError,
    checkpoint: o.checkpoint,
    description: o.description,
    dependsOn: o.dependsOn && [...o.dependsOn],
    condition: o.condition,
    timeout: o.timeout,
  };
}

function isNonNegative(value: unknown): value is number {
  return typeof value === "number" && !Number.isNaN(value) && value >= 0;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function show(value: unknown): string {
  if (typeof value === "function") return "function";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
