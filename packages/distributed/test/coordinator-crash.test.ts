/**
 * "The coordinator killed in the middle": a coordinator process runs a 300-item map step on two worker
 * processes and is killed with SIGKILL mid-way; a second coordinator resumes the latest execution.
 *
 * What happens to the dead coordinator's jobs: those still queued or running when it died run anyway
 * (a worker cannot tell that nobody waits for them), uselessly — at most `concurrency` of them, since
 * the map runner has no more in the queue at once (plus, wasted too, those that finished but were not
 * yet in the checkpoint's journal when the coordinator died). They are never counted: a resume is a new
 * execution, its job ids (`<executionId>.<step>.<item>.<attempt>`) differ, and only the coordinator
 * records items in its checkpoint — so their items, not recorded as done, run again in the resume.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { CheckpointStore } from "pipewright";
import { journalLines, spawnFixture, stop, waitFor, type Child } from "./child-processes.js";
import { cleanUp, randomPrefix, redisAvailable, REDIS_URL } from "./redis-helpers.js";

const available = await redisAvailable();
const ITEMS = 300;
const CONCURRENCY = 16;

describe.skipIf(!available)("the coordinator killed in the middle", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  }, 30_000); // stopping three processes, more on a loaded machine

  it("resumes: finished items do not run again, every item runs, each is counted once, no job is left behind", async () => {
    const prefix = randomPrefix();
    cleanups.push(() => cleanUp(prefix));
    const dir = await mkdtemp(join(tmpdir(), "pw-coordinator-crash-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const journal = join(dir, "journal.txt");
    const checkpointDir = join(dir, "checkpoints");
    const resultFile = join(dir, "result.json");
    const env = { PW_REDIS_URL: REDIS_URL, PW_PREFIX: prefix, PW_JOURNAL: journal, PW_ITEMS: String(ITEMS), PW_COORDINATOR_CONCURRENCY: String(CONCURRENCY) };

    const workers: Child[] = await Promise.all([spawnFixture("journal-worker.ts", [], env, "ready "), spawnFixture("journal-worker.ts", [], env, "ready ")]);
    cleanups.push(() => Promise.all(workers.map(stop)).then(() => undefined));

    // 1. The first coordinator, killed once about a third of the items ran.
    const first = await spawnFixture("crash-coordinator.ts", [checkpointDir, resultFile], env);
    cleanups.push(() => stop(first));
    await waitFor("a third of the items to run", async () => (await journalLines(journal)).length >= ITEMS / 3);
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    const linesAtKill = (await journalLines(journal)).length;

    const store = new CheckpointStore(checkpointDir);
    const dead = (await store.list("coordinator-crash"))[0]?.record;
    expect(dead?.status).toBe("running"); // killed: it never said otherwise
    const doneBefore = new Set((dead?.steps[0]?.items ?? []).flatMap((item) => (item?.status === "success" ? [JSON.parse(item.key) as number] : [])));
    expect(doneBefore.size).toBeGreaterThan(0);
    expect(doneBefore.size).toBeLessThan(ITEMS);

    // 2. The second coordinator resumes it, to the end.
    const second = await spawnFixture("crash-coordinator.ts", [checkpointDir, resultFile], env);
    cleanups.push(() => stop(second));
    expect(await second.exited, second.output()).toBe(0);
    const result = JSON.parse(await readFile(resultFile, "utf8")) as {
      status: string;
      executionId: string;
      resumedFrom: string;
      output: { total: number; succeeded: number; failed: number; outputs: number[] };
    };
    expect(result.status).toBe("success");
    expect(result.resumedFrom).toBe(dead?.executionId);
    // Each item counted exactly once, with its own output.
    expect(result.output).toMatchObject({ total: ITEMS, succeeded: ITEMS, failed: 0 });
    expect(result.output.outputs).toEqual(Array.from({ length: ITEMS }, (_, i) => i * 3));

    const lines = await journalLines(journal);
    // Every item ran at least once.
    expect(new Set(lines.map((line) => line.item)).size).toBe(ITEMS);
    // Nothing recorded as done before the kill ran again, whoever ran it (the resume, or the dead coordinator's jobs).
    const ranAgain = lines.slice(linesAtKill).filter((line) => doneBefore.has(line.item));
    expect(ranAgain).toEqual([]);
    // The resume ran exactly the items not done before, each once (no item failed, so no retry).
    const resumed = lines.filter((line) => line.executionId === result.executionId).map((line) => line.item);
    expect(resumed.sort((a, b) => a - b)).toEqual(Array.from({ length: ITEMS }, (_, i) => i).filter((i) => !doneBefore.has(i)));
    // The dead coordinator's jobs ran at most once each. Those it did not record as done — queued or
    // running when it died (at most CONCURRENCY), or finished but still in its journal's next group
    // commit — are few, and each of their items ran again in the resume (checked above).
    const deadRuns = lines.filter((line) => line.executionId === dead?.executionId).map((line) => line.item);
    expect(new Set(deadRuns).size).toBe(deadRuns.length);
    expect(deadRuns.length - doneBefore.size).toBeLessThanOrEqual(2 * CONCURRENCY);

    // Nothing is left queued or running: the dead coordinator's jobs drained too, none failed.
    const queue = new Queue("steps", { connection: { host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) }, prefix });
    cleanups.push(() => queue.close());
    await expect
      .poll(() => queue.getJobCounts("waiting", "active", "delayed", "prioritized", "failed"), { timeout: 10_000 })
      .toEqual({ waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 0 });
    // One completed job per run in the journal: no job ran that the journal does not show, nor twice.
    expect(await queue.getJobCountByTypes("completed")).toBe(lines.length);
  }, 60_000);
});
