import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pipeline, type Clock } from "pipewright";
import { BullMqExecutor, type DistributedWorker } from "../src/index.js";
import { registry } from "./fixtures/registry.js";
import { cleanUp, inProcessWorker, randomPrefix, redisAvailable, REDIS_URL } from "./redis-helpers.js";

const available = await redisAvailable();

/**
 * Execution ids are unique only within one checkpoint directory (`YYYYMMDD_HHMMSS`): two coordinators
 * — two machines, or two projects on one — running pipelines of the same name in the same second get
 * the same id. Their jobs must still be their own.
 */
describe.skipIf(!available)("job ids of executions that share an execution id", () => {
  const prefix = randomPrefix();
  let worker: DistributedWorker;
  let dir: string;
  // Both runs start "at the same second".
  const sameSecond: Clock = { now: () => Date.UTC(2026, 10, 29, 12, 0, 0), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

  beforeAll(async () => {
    worker = await inProcessWorker(prefix);
    dir = await mkdtemp(join(tmpdir(), "pw-job-ids-"));
  });
  afterAll(async () => {
    await worker.close();
    await cleanUp(prefix);
    await rm(dir, { recursive: true, force: true });
  });

  const twin = (n: number, project: string) =>
    new Pipeline({ name: "twins", registry, checkpointDir: join(dir, project) }).addStep("make", "make_items", { args: { n } });

  it("each coordinator gets its own step's result, one after the other and side by side", async () => {
    const first = new BullMqExecutor({ redis: { url: REDIS_URL, prefix } });
    const second = new BullMqExecutor({ redis: { url: REDIS_URL, prefix } });
    try {
      const one = await twin(1, "a").execute({ executor: first, clock: sameSecond });
      const two = await twin(2, "b").execute({ executor: second, clock: sameSecond });
      expect(two.executionId).toBe(one.executionId);
      expect(one.steps[0]?.output).toEqual([0]);
      expect(two.steps[0]?.output).toEqual([0, 1]);

      const [three, four] = await Promise.all([
        twin(3, "c").execute({ executor: first, clock: sameSecond }),
        twin(4, "d").execute({ executor: second, clock: sameSecond }),
      ]);
      expect(three.steps[0]?.output).toEqual([0, 1, 2]);
      expect(four.steps[0]?.output).toEqual([0, 1, 2, 3]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("one coordinator running two such executions keeps them apart too", async () => {
    const executor = new BullMqExecutor({ redis: { url: REDIS_URL, prefix } });
    try {
      const [five, six] = await Promise.all([
        twin(5, "e").execute({ executor, clock: sameSecond }),
        twin(6, "f").execute({ executor, clock: sameSecond }),
      ]);
      expect(five.executionId).toBe(six.executionId);
      expect(five.steps[0]?.output).toHaveLength(5);
      expect(six.steps[0]?.output).toHaveLength(6);
    } finally {
      await executor.close();
    }
  });
});
