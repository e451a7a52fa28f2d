export { main } from "./main.js";
export { ExitCode } from "./exit-codes.js";
export { attachPlainRenderer } from "./plain-renderer.js";
export { formatSummary } from "./summary.js";
export { loadRegistry } from "./load-registry.js";
// For applications that build their own command on the same output, tables and option parsers.
export { processOutput, colorsFor, type Output, type Colors } from "./output.js";
export { formatTable, type Column, type Cell } from "./table.js";
export { wholeNumber } from "./number-options.js";
export { collectParam } from "./params.js";
export { runWithDisplay } from "./run-with-display.js";
export type { DisplayOptions } from "./renderer.js";
export { runProgram, type ProgramDefinition } from "./program.js";
export type { CommandContext, RegisterCommand } from "./command-context.js";
// Running steps on other machines (`--executor bullmq`, `worker`), for applications' own commands.
export {
  addExecutorOptions,
  addRedisOptions,
  withExecutor,
  executorFlagWords,
  recordableExecutorFlags,
  redisConnection,
  checkRedisReachable,
  DEFAULT_DISTRIBUTED_CONCURRENCY,
  DEFAULT_REDIS_URL,
  type ExecutorFlags,
  type ExecutorChoice,
  type RedisFlags,
} from "./executor-options.js";
export { registerWorkerCommand, workerCommand, type WorkerCommandDefinition, type WorkerOptions } from "./worker-command.js";
export { workersCommand, formatWorkers } from "./workers-command.js";
