import type { Clock } from "./clock.js";
import { PipewrightError } from "./errors.js";
import { isRetryable, retryDelaySeconds } from "./retry-policy.js";
import type { ResolvedStepOptions } from "./step-options.js";

/** An attempt that ran longer than its step's `timeout`. Retried like any other failure. */
export class TimeoutError extends PipewrightError {
  override name = "TimeoutError";
}

export type RetryOutcome =
  | { ok: true; value: unknown; attempts: number }
  | { ok: false; error: unknown; attempts: number; cancelled: boolean };

export interface RetryHooks {
  started?(attempt: number): void;
  retrying?(attempt: number, error: unknown, delaySeconds: number): void;
}

interface RetryEnvironment {
  clock: Clock;
  random: () => number;
  /** Stops everything: no further attempt starts, the wait between attempts ends. */
  signal: AbortSignal;
}

/**
 * Runs `attempt` up to `retryCount + 1` times, waiting with exponential backoff in between, stopping
 * at once for errors not worth retrying and on cancellation. Each attempt gets a signal that also
 * aborts when the step's `timeout` passes.
 */
export async function withRetries(
  policy: ResolvedStepOptions,
  env: RetryEnvironment,
  attempt: (attempt: number, signal: AbortSignal) => unknown,
  hooks: RetryHooks = {},
): Promise<RetryOutcome> {
  const { clock, signal } = env;
  const maxAttempts = policy.retryCount + 1;
  for (let n = 1; ; n++) {
    hooks.started?.(n);
    try {
      const value = await withTimeout((attemptSignal) => attempt(n, attemptSignal), policy.timeout, signal, clock);
      return { ok: true, value, attempts: n };
    } catch (error) {
      if (signal.aborted) return { ok: false, error, attempts: n, cancelled: true };
      if (n === maxAttempts || !isRetryable(policy, error, n)) return { ok: false, error, attempts: n, cancelled: false };
      const delay = retryDelaySeconds(policy, n, env.random);
      hooks.retrying?.(n, error, delay);
      try {
        await clock.sleep(delay * 1000, signal);
      } catch {
        return { ok: false, error, attempts: n, cancelled: true };
      }
    }
  }
}

/**
 * Runs `run` with a signal that aborts when `parent` does or after `timeout` seconds. On timeout the
 * attempt fails at once, even if the command ignores its signal (it is then left to finish unobserved).
 */
async function withTimeout(
  run: (signal: AbortSignal) => unknown,
  timeout: number | undefined,
  parent: AbortSignal,
  clock: Clock,
): Promise<unknown> {
  if (timeout === undefined) return await run(parent);
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent.reason);
  parent.addEventListener("abort", onParentAbort, { once: true });
  const stopTimer = new AbortController();
  const timedOut = clock.sleep(timeout * 1000, stopTimer.signal).then(
    () => {
      const error = new TimeoutError(`timed out after ${timeout} s`);
      controller.abort(error);
      throw error;
    },
    () => new Promise<never>(() => {}), // the attempt ended first: this side of the race never settles
  );
  try {
    return await Promise.race([Promise.resolve().then(() => run(controller.signal)), timedOut]);
  } finally {
    stopTimer.abort();
    parent.removeEventListener("abort", onParentAbort);
  }
}
