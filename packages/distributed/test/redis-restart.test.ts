/**
 * Redis restarted in the middle of a run. The test starts a PRIVATE redis-server on a free port that
 * keeps nothing on disk (`--save "" --appendonly no`): a restart loses every job, event and worker
 * entry — the worst case. (The shared Redis on 6379 is never touched.)
 *
 * - Back within a few seconds: the workers reconnect and take jobs again; the executor finds the jobs
 *   it waits for gone (its periodic check, seen missing twice) and adds them again; the run completes,
 *   each item counted once (an item whose job vanished may have run twice — at least once).
 * - Gone for longer than `redisDownTimeoutMs`: the run fails with an error naming Redis and saying to
 *   resume, in bounded time; once Redis is back, a resume completes without re-running finished items.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { CheckpointStore, Pipeline, PermanentError, type PipelineResult } from "pipewright";
import { BullMqExecutor, listWorkers } from "../src/index.js";
import { freePort, killRedis, startRedis } from "../src/testing.js";
import { journalLines, spawnFixture, stop, waitFor, type Child } from "./child-processes.js";
import { randomPrefix, redisAvailable } from "./redis-helpers.js";

// The shared Redis is not used, but its absence says Redis is not installed here: skip alike.
const available = await redisAvailable();
const ITEMS = 200;

describe.skipIf(!available)("Redis restarted in the middle of a run", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  }, 30_000); // closing waits at most a few seconds per process, more on a loaded machine

  /** A private Redis, a worker process on it, a checkpoint directory and a journal. */
  async function setUp() {
    const dir = await mkdtemp(join(tmpdir(), "pw-redis-restart-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const redis: { child: ChildProcess } = { child: await startRedis({ port, dir }) };
    cleanups.push(() => killRedis(redis.child));
    const prefix = randomPrefix();
    const journal = join(dir, "journal.txt");
    const worker: Child = await spawnFixture("journal-worker.ts", [], { PW_REDIS_URL: url, PW_PREFIX: prefix, PW_JOURNAL: journal, PW_CONCURRENCY: "4" }, "ready ");
    cleanups.push(() => stop(worker));
    const restart = async (downMs: number) => {
      await killRedis(redis.child);
      await sleep(downMs);
      redis.child = await startRedis({ port, dir });
    };
    const pipeline = () =>
      new Pipeline({ name: "redis-restart", checkpointDir: join(dir, "checkpoints"), registry: { journal_item: () => Promise.reject(new PermanentError("workers only")) } }).addMapStep(
        "items",
        { command: "journal_item", items: Array.from({ length: ITEMS }, (_, i) => i), args: { ms: 20 } },
      );
    const executor = (redisDownTimeoutMs: number) => {
      const made = new BullMqExecutor({ redis: { url, prefix }, checkIntervalMs: 250, redisDownTimeoutMs });
      cleanups.push(() => made.close());
      return made;
    };
    return { url, prefix, journal, dir, worker, restart, pipeline, executor };
  }

  const outputOf = (result: PipelineResult) => result.steps[0]?.output as { total: number; succeeded: number; failed: number; outputs: number[] };

  it("back within seconds: workers and coordinator reconnect, lost jobs are added again, the run completes", async () => {
    const { url, prefix, journal, worker, restart, pipeline, executor } = await setUp();
    const running = pipeline().execute({ executor: executor(30_000), concurrency: 8 });
    await waitFor("a third of the items to run", async () => (await journalLines(journal)).length >= ITEMS / 3);
    const linesBefore = (await journalLines(journal)).length;
    const restartedAt = Date.now();
    await restart(1000); // every key lost
    const result = await running;
    const tookAfterRestart = Date.now() - restartedAt;

    expect(result.status, worker.output()).toBe("success");
    expect(outputOf(result)).toMatchObject({ total: ITEMS, succeeded: ITEMS, failed: 0 });
    expect(outputOf(result).outputs).toEqual(Array.from({ length: ITEMS }, (_, i) => i * 3));
    const lines = await journalLines(journal);
    expect(lines.length).toBeGreaterThan(linesBefore); // the worker took jobs after the restart
    expect(new Set(lines.map((line) => line.item)).size).toBe(ITEMS);
    expect(tookAfterRestart).toBeLessThan(20_000);
    // The worker is listed again (its heartbeat re-registers it on reconnecting).
    await expect.poll(async () => (await listWorkers({ url }, { prefix })).workers.length, { timeout: 5000 }).toBe(1);
  }, 60_000);

  it("gone for longer than redisDownTimeoutMs: fails with a clear message in bounded time; a resume once it is back completes", async () => {
    const { journal, dir, restart, pipeline, executor } = await setUp();
    const running = pipeline().execute({ executor: executor(1500), concurrency: 8 });
    await waitFor("a third of the items to run", async () => (await journalLines(journal)).length >= ITEMS / 3);
    const restarting = restart(6000); // down for 6 s: longer than the 1.5 s the executor waits
    const killedAt = Date.now();
    const failed = await running;
    const tookToFail = Date.now() - killedAt;

    expect(failed.status).toBe("failed");
    expect(failed.steps[0]?.error).toMatch(/Lost Redis at 127\.0\.0\.1:\d+ for more than 1\.5 s: the jobs' results cannot be heard\. Resume the execution once Redis is back/);
    expect(tookToFail).toBeLessThan(5000);
    await restarting;

    const record = (await new CheckpointStore(join(dir, "checkpoints")).list("redis-restart"))[0]?.record;
    const doneBefore = new Set((record?.steps[0]?.items ?? []).flatMap((item) => (item?.status === "success" ? [JSON.parse(item.key) as number] : [])));
    expect(doneBefore.size).toBeGreaterThan(0);

    const resumed = await pipeline().execute({ executor: executor(30_000), concurrency: 8, resumeFrom: "latest" });
    expect(resumed.status).toBe("success");
    expect(resumed.resumedFrom).toBe(failed.executionId);
    expect(outputOf(resumed)).toMatchObject({ total: ITEMS, succeeded: ITEMS, failed: 0 });
    expect(outputOf(resumed).outputs).toEqual(Array.from({ length: ITEMS }, (_, i) => i * 3));
    const ranInResume = (await journalLines(journal)).filter((line) => line.executionId === resumed.executionId).map((line) => line.item);
    expect(ranInResume.filter((item) => doneBefore.has(item))).toEqual([]);
    expect(new Set([...ranInResume, ...doneBefore]).size).toBe(ITEMS);
  }, 60_000);
});
