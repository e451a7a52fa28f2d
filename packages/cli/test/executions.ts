import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { Pipeline, type Clock, type PipelineResult } from "pipewright";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A clock that starts at `start` and moves 250 ms each time it is read (durations are not zero); waits end at once. */
export function clockAt(start: number): Clock {
  let now = start;
  return {
    now: () => (now += 250),
    sleep: (_ms, signal) => (signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve()),
  };
}

/** `etl`: extract, then load, which fails (twice: it retries once) unless `databaseUp`. */
function etl(dir: string, databaseUp: boolean): Pipeline {
  return new Pipeline({ name: "etl", checkpointDir: dir })
    .addStep("extract", () => ({ rows: 3 }))
    .addStep(
      "load",
      (_args, ctx) => {
        if (!databaseUp) throw new Error(`database is down (attempt ${ctx.attempt})`);
        return "loaded";
      },
      { retryCount: 1, retryDelay: 0.1 },
    );
}

/**
 * `lab`: a long output, a map step with one failed item (allowed), a nested pipeline whose second
 * step succeeds on its second attempt, then a step during which the run is cancelled.
 */
function lab(dir: string, cancel: AbortController): Pipeline {
  const chip = new Pipeline({ name: "chip" })
    .addStep("load", () => "chip 67")
    .addStep(
      "analyse",
      (_args, ctx) => {
        if (ctx.attempt === 1) throw new Error("detector not ready");
        return { peaks: 2 };
      },
      { retryCount: 1, retryDelay: 0.1 },
    );
  return new Pipeline({ name: "lab", checkpointDir: dir })
    .addStep("prepare", () => ({ note: "x".repeat(300) }))
    .addMapStep("stage", {
      items: ["a.csv", "b.csv", "c.csv", "d.csv"],
      command: (args: { item: string }) => {
        if (args.item === "c.csv") throw new Error("c.csv is unreadable");
        return `${args.item} staged`;
      },
      allowedFailures: 1,
    })
    .addSubpipeline("chip", chip)
    .addStep("wait", (_args, ctx) => {
      const stopped = new Promise((_resolve, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error)));
      cancel.abort(new Error("interrupted by the test"));
      return stopped;
    })
    .addStep("report", () => "never");
}

export interface Executions {
  /** etl, 4 days ago: failed. */
  etlFailed: PipelineResult;
  /** etl, 3 days ago: resumed etlFailed, succeeded. */
  etlResumed: PipelineResult;
  /** etl, 2 days ago: failed, never resumed. */
  etlFailedAgain: PipelineResult;
  /** lab, 1 day ago: cancelled. */
  labCancelled: PipelineResult;
}

/** Real executions in `dir`, oldest first, started 4, 3, 2 and 1 days ago. */
export async function recordExecutions(dir: string): Promise<Executions> {
  const daysAgo = (n: number) => clockAt(Date.now() - n * DAY_MS);
  const etlFailed = await etl(dir, false).execute({ clock: daysAgo(4) });
  const etlResumed = await etl(dir, true).execute({ clock: daysAgo(3), resumeFrom: etlFailed.executionId });
  const etlFailedAgain = await etl(dir, false).execute({ clock: daysAgo(2) });
  const cancel = new AbortController();
  const labCancelled = await lab(dir, cancel).execute({ clock: daysAgo(1), signal: cancel.signal, concurrency: 1 });
  return { etlFailed, etlResumed, etlFailedAgain, labCancelled };
}

/** Makes a finished execution look like one whose process died while it ran: status running, the pid of an exited process. Returns that pid. */
export async function markCrashed(checkpointPath: string): Promise<number> {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  const file = JSON.parse(await readFile(checkpointPath, "utf8")) as Record<string, unknown>;
  await writeFile(checkpointPath, JSON.stringify({ ...file, status: "running", pid }, null, 2));
  return pid;
}
