import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { localExecutor, Pipeline, type PipelineResult } from "pipewright";
import { BullMqExecutor, listWorkers } from "../src/index.js";
import { registry } from "./fixtures/registry.js";
import { cleanUp, randomPrefix, redisAvailable, REDIS_URL, spawnWorker, stopWorker, type WorkerProcess } from "./redis-helpers.js";

const available = await redisAvailable();

describe.skipIf(!available)("a pipeline on two worker processes", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Two worker processes and an executor on a prefix of their own, released after the test. */
  async function setUp(env: Record<string, string> = {}) {
    const prefix = randomPrefix();
    cleanups.push(() => cleanUp(prefix));
    const workers = await Promise.all([spawnWorker(prefix, env), spawnWorker(prefix, env)]);
    cleanups.push(() => Promise.all(workers.map(stopWorker)).then(() => undefined));
    const executor = new BullMqExecutor({ redis: { url: REDIS_URL, prefix } });
    cleanups.push(() => executor.close());
    return { prefix, workers, executor };
  }

  const squares = () =>
    new Pipeline({ name: "squares", registry })
      .addStep("make", "make_items", { args: { n: 200 } })
      .addMapStep("squares", { command: "square", items: "${{ steps.make.output }}", args: { item: 0 } })
      .addStep("total", "total");

  const summary = (result: PipelineResult) => result.steps.map((s) => ({ name: s.name, status: s.status, attempts: s.attempts, output: s.output }));

  it("gives the same outputs as the local executor, for plain steps and 200 map items", async () => {
    const { prefix, executor } = await setUp();
    const logs: string[] = [];
    const pipeline = squares();
    pipeline.on("stepLog", (event) => logs.push(event.message));
    const remote = await pipeline.execute({ executor, concurrency: 16, checkpoint: false });
    const local = await squares().execute({ executor: localExecutor, concurrency: 16, checkpoint: false });

    expect(remote.status).toBe("success");
    expect(summary(remote)).toEqual(summary(local));
    expect(remote.steps[2]?.output).toBe(Array.from({ length: 200 }, (_, i) => i * i).reduce((a, b) => a + b, 0));
    expect(logs.filter((line) => line.startsWith("item ")).sort()).toEqual(["item 0", "item 100", "item 150", "item 50"]);

    const { workers, jobs } = await listWorkers({ url: REDIS_URL, prefix });
    expect(workers).toHaveLength(2);
    expect(workers.reduce((sum, w) => sum + w.jobsDone, 0)).toBe(202);
    expect(workers.every((w) => w.jobsDone > 0)).toBe(true); // both took part
    expect(jobs).toMatchObject({ waiting: 0, active: 0, completed: 202 });
  });

  it("re-runs on the other worker a job whose worker was killed, counting each item once", async () => {
    const { workers, executor } = await setUp({ PW_LOCK_MS: "1000", PW_STALLED_MS: "500" });
    const checkpointDir = await mkdtemp(join(tmpdir(), "pw-distributed-"));
    cleanups.push(() => rm(checkpointDir, { recursive: true, force: true }));
    const pipeline = new Pipeline({ name: "stall", registry, checkpointDir }).addMapStep("items", {
      command: "stall_item",
      items: Array.from({ length: 200 }, (_, i) => i),
      args: { slowItem: 100, ms: 1000 },
    });
    const slowRuns: number[] = [];
    let killed: WorkerProcess | undefined;
    pipeline.on("stepLog", (event) => {
      const pid = Number(/slow item on pid (\d+)/.exec(event.message)?.[1]);
      if (!pid) return;
      slowRuns.push(pid);
      if (killed) return;
      killed = workers.find((w) => w.pid === pid);
      killed?.child.kill("SIGKILL"); // in the middle of the job
    });

    const result = await pipeline.execute({ executor, concurrency: 8 });

    expect(result.status).toBe("success");
    expect(killed).toBeDefined();
    expect(slowRuns).toHaveLength(2);
    expect(slowRuns[1]).not.toBe(slowRuns[0]); // ran again, on the worker still alive
    expect(result.steps[0]?.output).toMatchObject({ total: 200, succeeded: 200, failed: 0 });
    expect((result.steps[0]?.output as { outputs: number[] }).outputs).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
    // The checkpoint's items file: one line per item, none twice.
    const lines = (await readFile(`${result.checkpointPath}.items-0`, "utf8")).trim().split("\n");
    const indexes = lines.map((line) => (JSON.parse(line) as { item: number }).item);
    expect(indexes).toHaveLength(200);
    expect(new Set(indexes).size).toBe(200);
  });
});
