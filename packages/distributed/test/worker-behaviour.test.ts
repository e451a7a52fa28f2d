import { hostname } from "node:os";
import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { Pipeline } from "pipewright";
import { BullMqExecutor, listWorkers, type DistributedWorker } from "../src/index.js";
import { observed, registry } from "./fixtures/registry.js";
import { cleanUp, inProcessWorker, randomPrefix, redisAvailable, REDIS_URL } from "./redis-helpers.js";

const available = await redisAvailable();

describe.skipIf(!available)("workers", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(concurrency = 4): Promise<{ prefix: string; worker: DistributedWorker; executor: BullMqExecutor }> {
    const prefix = randomPrefix();
    cleanups.push(() => cleanUp(prefix));
    const worker = await inProcessWorker(prefix, concurrency);
    cleanups.push(() => worker.close());
    const executor = new BullMqExecutor({ redis: { url: REDIS_URL, prefix } });
    cleanups.push(() => executor.close());
    return { prefix, worker, executor };
  }

  it("fails a job whose command the worker does not have, naming the command and the worker", async () => {
    const { worker, executor } = await setUp();
    const coordinatorRegistry = { ...registry, only_here: () => "ran" };
    const pipeline = new Pipeline({ name: "unknown", registry: coordinatorRegistry }).addStep("step", "only_here", { retryCount: 2 });
    const result = await pipeline.execute({ executor, checkpoint: false });
    expect(result.status).toBe("failed");
    expect(result.steps[0]?.attempts).toBe(1); // no retry: the same fleet would answer the same
    expect(result.steps[0]?.error).toContain(`Worker ${worker.name} (queue steps) has no command "only_here" in its registry`);
    expect(worker.name).toBe(`${hostname()}:${process.pid}`);
  });

  it("stops the jobs of a cancelled execution: the running command sees its signal abort, the waiting job never runs", async () => {
    const { prefix, executor } = await setUp(1); // one at a time: the second job waits in the queue
    const pipeline = new Pipeline({ name: "cancel", registry }).addParallelGroup("both", [
      { name: "first", command: "wait_for_abort", args: { marker: `${prefix}-first` } },
      { name: "second", command: "wait_for_abort", args: { marker: `${prefix}-second` } },
    ]);
    const controller = new AbortController();
    pipeline.on("stepLog", (event) => {
      if (event.message.startsWith("waiting")) controller.abort(new Error("cancelled by the test"));
    });
    const result = await pipeline.execute({ executor, signal: controller.signal, checkpoint: false, concurrency: 2 });

    expect(result.status).toBe("cancelled");
    expect(result.steps.map((s) => s.status)).toEqual(["cancelled", "cancelled"]);
    await expect.poll(() => observed.aborted.filter((m) => m.startsWith(prefix)).length).toBe(1);
    const queue = new Queue("steps", { connection: { host: "127.0.0.1", port: 6379 }, prefix });
    cleanups.push(() => queue.close());
    await expect.poll(() => queue.getJobCounts("waiting", "active")).toEqual({ waiting: 0, active: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(observed.aborted.filter((m) => m.startsWith(prefix))).toHaveLength(1); // the second never started
  });

  it("lists live workers, and forgets one that closed", async () => {
    const { prefix, worker } = await setUp(3);
    const before = await listWorkers({ url: REDIS_URL, prefix });
    expect(before.workers).toEqual([expect.objectContaining({ id: worker.id, pid: process.pid, concurrency: 3, jobsDone: 0 })]);
    expect(before.jobs.waiting).toBe(0);
    await worker.close();
    expect((await listWorkers({ url: REDIS_URL, prefix })).workers).toEqual([]);
  });

  it("puts the job of a worker that shuts down back in the queue, for another worker, without using an attempt", async () => {
    const { prefix, worker, executor } = await setUp(1);
    const pipeline = new Pipeline({ name: "shutdown", registry }).addStep("slow", "slow", { args: { ms: 300 } });
    let second: DistributedWorker | undefined;
    pipeline.on("stepStarted", () => {
      setTimeout(() => {
        void worker.close();
        void inProcessWorker(prefix, 1).then((w) => {
          second = w;
          cleanups.push(() => w.close());
        });
      }, 100);
    });
    const result = await pipeline.execute({ executor, checkpoint: false });
    expect(result.status).toBe("success");
    expect(result.steps[0]?.attempts).toBe(1);
    expect(second).toBeDefined();
  });
});
