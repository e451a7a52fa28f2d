import type { PipelineEventName } from "pipewright";
import type { Output } from "./output.js";
import { listen, type EventSource, type Handlers } from "./display/listen.js";

// A record, not a list: the compiler then insists on every event the engine has.
const EVENTS: Record<PipelineEventName, true> = {
  pipelineStarted: true,
  pipelineWarning: true,
  stepStarted: true,
  stepRetrying: true,
  stepSucceeded: true,
  stepFailed: true,
  stepSkipped: true,
  stepCancelled: true,
  stepCompleted: true,
  stepResumed: true,
  stepLog: true,
  stepProgress: true,
  stepRolledBack: true,
  stepRollbackFailed: true,
  pipelineFinished: true,
  hookError: true,
};

/**
 * `--json`: every event as one line of JSON on `out` — `{"event":"stepStarted", ...its payload}` —
 * for other programs. Nothing else may go to `out` while it is attached. Returns a function that
 * stops listening.
 */
export function attachJsonRenderer(source: EventSource, output: Output): () => void {
  const handlers: Handlers = {};
  for (const event of Object.keys(EVENTS) as PipelineEventName[]) {
    (handlers as Record<string, (payload: object) => void>)[event] = (payload) => output.out(`${JSON.stringify({ event, ...payload })}\n`);
  }
  return listen(source, handlers);
}
