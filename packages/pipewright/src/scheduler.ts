import { EventLoopTurns } from "./event-loop-turns.js";
import { runStep, type RunEnvironment, type StepOutcome } from "./step-runner.js";
import { StepStatus } from "./types.js";

export interface ScheduleOptions {
  /** A failed step stops the run: nothing new starts. Otherwise only the steps downstream of it are skipped. */
  stopOnError: boolean;
  /** When a failed step stops the run, abort the steps still running (else let them finish). */
  failFast: boolean;
}

/**
 * Runs the graph: each step starts once everything it waits for has succeeded or been skipped, up to
 * `env.concurrency` at a time. `stop` aborts `env.signal`: the scheduler uses it to stop running steps
 * when one fails (fail fast). Resolves once no step runs any more, with whether any step failed.
 * Steps downstream of a failed or cancelled step are marked skipped, naming it.
 */
export function runGraph(env: RunEnvironment, options: ScheduleOptions, stop: AbortController): Promise<{ failed: boolean }> {
  const { graph, state } = env;
  const records = state.record.steps;
  const waiting = graph.upstream.map((deps) => deps.length);
  const ready: number[] = [];
  waiting.forEach((count, i) => count === 0 && ready.push(i));
  let head = 0;
  let running = 0;
  let failed = false;
  let stopping = false;
  let fatal: unknown;
  let turnPending = false;
  const turns = new EventLoopTurns();
  const writes: Promise<void>[] = [];
  const notRun: Array<{ index: number; reason: string }> = [];

  return new Promise((resolve, reject) => {
    const finishIfIdle = () => {
      if (running > 0 || turnPending || (!stopping && head < ready.length)) return;
      for (const { index, reason } of notRun) skipDownstream(index, reason);
      notRun.length = 0;
      Promise.all(writes).then(
        () => (fatal === undefined ? resolve({ failed }) : reject(fatal as Error)),
        (error: unknown) => reject((fatal ?? error) as Error),
      );
    };

    const release = (next: number) => {
      waiting[next] = (waiting[next] as number) - 1;
      if (waiting[next] === 0) ready.push(next);
    };

    const complete = (index: number, outcome: StepOutcome) => {
      if (outcome === "success" || outcome === "skipped") {
        for (const next of graph.downstream[index] ?? []) release(next);
        return;
      }
      const name = graph.steps[index]?.name;
      const reason = outcome === "failed" ? `step "${name}" failed` : `step "${name}" was cancelled`;
      if (outcome === "failed") failed = true;
      if (outcome === "cancelled" || options.stopOnError) {
        stopping = true;
        notRun.push({ index, reason }); // marked once the running steps have ended
        if (outcome === "failed" && options.failFast && running > 0) stop.abort(new Error(reason));
      } else {
        skipDependents(index, reason);
      }
    };

    /**
     * The run goes on after a failure: steps that named the failed step in `dependsOn` (and, in turn,
     * those that named them) are skipped; steps that only came after it in order still run.
     */
    const skipDependents = (failedIndex: number, reason: string) => {
      const stack = [failedIndex];
      while (stack.length > 0) {
        for (const next of graph.downstream[stack.pop() as number] ?? []) {
          if (!graph.steps[next]?.explicitDependsOn) release(next);
          else if (records[next]?.status === StepStatus.PENDING) {
            writes.push(state.stepSkipped(next, `not run: ${reason}`));
            stack.push(next);
          }
        }
      }
    };

    /** Marks every step downstream of `index` that has not run as skipped because of it. */
    const skipDownstream = (index: number, reason: string) => {
      const queue = [...(graph.downstream[index] ?? [])];
      for (let at = 0; at < queue.length; at++) {
        const next = queue[at] as number;
        if (records[next]?.status !== StepStatus.PENDING) continue;
        writes.push(state.stepSkipped(next, `not run: ${reason}`));
        queue.push(...(graph.downstream[next] ?? []));
      }
    };

    const pump = () => {
      while (!stopping && head < ready.length && running < env.concurrency) {
        if (env.signal.aborted) stopping = true;
        else if (turns.due()) {
          turnPending = true;
          setImmediate(() => {
            turnPending = false;
            turns.taken();
            pump();
          });
          return;
        } else {
          const index = ready[head++] as number;
          const status = records[index]?.status;
          // Restored by resume: counts as done at once. (Skipped: a failure upstream already dealt with it.)
          if (status === StepStatus.SUCCESS) complete(index, "success");
          else if (status === StepStatus.PENDING) start(index);
        }
      }
      finishIfIdle();
    };

    const start = (index: number) => {
      running++;
      runStep(index, env).then(
        (outcome) => {
          running--;
          complete(index, outcome);
          pump();
        },
        (error: unknown) => {
          // The checkpoint cannot be written: stop everything and report it.
          running--;
          fatal ??= error;
          stopping = true;
          stop.abort(error);
          finishIfIdle();
        },
      );
    };

    pump();
  });
}
