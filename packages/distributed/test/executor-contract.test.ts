import { describe } from "vitest";
import { localExecutor } from "pipewright";
import { BullMqExecutor } from "../src/index.js";
import { executorCases } from "./executor-cases.js";
import { cleanUp, inProcessWorker, randomPrefix, redisAvailable, REDIS_URL } from "./redis-helpers.js";

const available = await redisAvailable();

describe("the local executor", () => {
  executorCases(() => Promise.resolve({ executor: localExecutor, close: () => Promise.resolve() }));
});

describe.skipIf(!available)("BullMqExecutor, with a worker", () => {
  executorCases(async () => {
    const prefix = randomPrefix();
    const worker = await inProcessWorker(prefix);
    const executor = new BullMqExecutor({ redis: { url: REDIS_URL, prefix } });
    return {
      executor,
      close: async () => {
        await executor.close();
        await worker.close();
        await cleanUp(prefix);
      },
    };
  });
});
