import type { Command, Json, StepContext } from "./types.js";

/** One attempt of one step, as handed to an executor. Everything but `command` is plain JSON. */
export interface StepTask {
  /**
   * Unique to this `execute()` call, across machines and time (a random UUID) — unlike the
   * execution id, unique only within one checkpoint directory. Executors whose queue several
   * coordinators share key their jobs with it.
   */
  runId: string;
  stepName: string;
  /** Registry name of the command: what a remote worker looks it up by. */
  commandName: string;
  /** The function itself, for executors that run in this process. */
  command: Command;
  args: Record<string, Json>;
}

/**
 * The boundary between deciding what runs (the scheduler, retries, rollback, checkpoints) and running
 * it. The local executor calls the function in this process; others may send the task elsewhere.
 */
export interface Executor {
  run(task: StepTask, ctx: StepContext): Promise<unknown>;
}

/** Runs each task by calling its command in this process. */
export const localExecutor: Executor = {
  run: async (task, ctx) => await task.command(task.args, ctx),
};
