/**
 * Run pipewright steps and map items on workers across machines, through BullMQ on Redis:
 * `BullMqExecutor` on the coordinator (`pipeline.execute({ executor })`), `startWorker` on each
 * machine, `listWorkers` to see who is there.
 */
export { BullMqExecutor, type BullMqExecutorOptions } from "./bullmq-executor.js";
export { startWorker, type StartWorkerOptions, type DistributedWorker } from "./worker.js";
export { listWorkers, type WorkerInfo, type WorkersReport } from "./worker-registration.js";
export { pingRedis } from "./ping-redis.js";
export { RemoteStepError } from "./remote-error.js";
export { DEFAULT_PREFIX, DEFAULT_QUEUE, type RedisConnection } from "./connection.js";
export type { StepJobData, JobFailure } from "./job-data.js";
