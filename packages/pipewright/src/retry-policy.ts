import { PermanentError } from "./errors.js";
import type { ResolvedStepOptions } from "./step-options.js";

type RetryPolicy = Pick<ResolvedStepOptions, "retryDelay" | "backoff" | "maxRetryDelay" | "jitter" | "shouldRetry">;

/**
 * Seconds to wait before retry number `retry` (1 for the first retry):
 * `min(maxRetryDelay, retryDelay * backoff^(retry-1))`, then lowered by up to `jitter` of itself.
 */
export function retryDelaySeconds(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const delay = Math.min(policy.maxRetryDelay, policy.retryDelay * policy.backoff ** (retry - 1));
  return policy.jitter > 0 ? delay * (1 - policy.jitter * random()) : delay;
}

/** Whether an attempt that threw `error` is worth another try. */
export function isRetryable(policy: RetryPolicy, error: unknown, attempt: number): boolean {
  if (error instanceof PermanentError) return false;
  return policy.shouldRetry ? policy.shouldRetry(error, attempt) : true;
}
