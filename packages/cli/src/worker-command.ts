import { availableParallelism } from "node:os";
import type { Command as Program } from "commander";
import { startWorker } from "@pipewright/distributed";
import { builtinCommands, ValidationError, type Registry } from "pipewright";
import type { CommandContext } from "./command-context.js";
import { addRedisOptions, checkRedisReachable, describeQueue, redisConnection, type RedisFlags } from "./executor-options.js";
import { ExitCode } from "./exit-codes.js";
import { loadRegistry } from "./load-registry.js";
import { wholeNumber } from "./number-options.js";
import type { Output } from "./output.js";
import { collectList } from "./params.js";

export interface WorkerOptions extends RedisFlags {
  /** Jobs run at once (default: the number of CPUs). */
  concurrency?: number;
}

/** What a program's `worker` command is: its name in messages, its registry, its help. */
export interface WorkerCommandDefinition {
  /** The program, for the start line and the examples (`pipewright`, `process-and-analyze`). */
  programName: string;
  /** The registry: fixed (an application's own), or undefined to take `--registry` modules. */
  registry?: Registry;
  examples: string[];
  /** A paragraph of help before the examples (where to start the worker, say). */
  note?: string;
}

/**
 * Runs a worker until SIGINT or SIGTERM: says on one line where it listens and which commands it has,
 * then takes jobs of `run --executor bullmq` coordinators. A signal closes it gracefully (running jobs
 * go back to the queue for another worker); a second one leaves at once. Resolves with the exit code.
 */
export async function workerCommand(programName: string, registry: Registry, options: WorkerOptions, output: Output): Promise<number> {
  const redis = redisConnection(options);
  await checkRedisReachable(redis);
  const worker = await startWorker({
    redis,
    registry,
    concurrency: options.concurrency ?? availableParallelism(),
    ...(options.queue !== undefined && { queue: options.queue }),
    handleSignals: false,
    onError: (error) => output.err(`${output.colors.red(`${programName} worker:`)} ${error.message}\n`),
  });
  const names = commandNames(registry);
  output.out(
    `${programName} worker ${worker.name} listening on ${describeQueue(options)}; concurrency ${options.concurrency ?? availableParallelism()}; ` +
      `${names.length} commands: ${names.join(", ")}\n`,
  );
  let stopping = false;
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(ExitCode.INTERRUPTED); // a second signal: leave at once
      stopping = true;
      output.out(`${signal}: worker ${worker.name} stopping (running jobs go back to the queue)\n`);
      void worker
        .close()
        .catch((error: unknown) => output.err(`${output.colors.red("error:")} closing the worker: ${(error as Error).message}\n`))
        .then(() => {
          process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
          output.out(`worker ${worker.name} stopped\n`);
          resolve();
        });
    };
    process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  });
  return ExitCode.SUCCESS;
}

/** The commands a worker runs: the registry's functions and the built-ins, sorted. */
function commandNames(registry: Registry): string[] {
  const own: Array<[string, unknown]> = registry instanceof Map ? [...(registry as Map<string, unknown>).entries()] : Object.entries(registry as Record<string, unknown>);
  const names = own.filter(([, fn]) => typeof fn === "function").map(([name]) => name);
  return [...new Set([...Object.keys(builtinCommands), ...names])].sort();
}

/**
 * Registers a `worker` command: `pipewright worker --registry ./commands.js`, or an application's own
 * (`process-and-analyze worker`, with its registry built in).
 */
export function registerWorkerCommand(program: Program, context: CommandContext, definition: WorkerCommandDefinition): void {
  const command = program
    .command("worker")
    .description("Run the steps of pipelines started elsewhere with `--executor bullmq`: take their jobs from Redis until SIGINT/SIGTERM");
  if (definition.registry === undefined) command.option("-r, --registry <module>", "a JS or TS module exporting commands (repeatable; required)", collectList, []);
  command.option("-c, --concurrency <n>", "jobs run at once (default: the number of CPUs)", wholeNumber("--concurrency", 1));
  addRedisOptions(command)
    .addHelpText("after", `${definition.note === undefined ? "" : `\n${definition.note}\n`}\nExamples:\n${definition.examples.map((example) => `  $ ${definition.programName} ${example}`).join("\n")}`)
    .action(async (options: WorkerOptions & { registry?: string[] }) => {
      let registry = definition.registry;
      if (registry === undefined) {
        if (!options.registry || options.registry.length === 0) throw new ValidationError("A worker needs its commands: --registry ./commands.js (repeatable)");
        registry = await loadRegistry(options.registry);
      }
      context.exit(await workerCommand(definition.programName, registry, options, context.output));
    });
}

/** Registers `pipewright worker`. */
export function registerWorker(program: Program, context: CommandContext): void {
  registerWorkerCommand(program, context, {
    programName: "pipewright",
    examples: [
      "worker --registry ./commands.ts --redis redis://queue-host:6379",
      "worker -r ./commands.ts --redis redis://queue-host:6379 --concurrency 8 --prefix lab",
      "worker -r ./commands.ts --redis rediss://queue-host:6380 --password \"$REDIS_PASSWORD\"",
    ],
  });
}
