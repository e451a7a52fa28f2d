import { builtinCommands, loadPipelineYaml, Pipeline, registryNames, specCommandNames, ValidationError, type Command } from "pipewright";
import type { Command as Program } from "commander";
import type { CommandContext } from "./command-context.js";
import { ExitCode } from "./exit-codes.js";
import { collectList, collectParam } from "./params.js";
import { loadRegistry } from "./load-registry.js";
import type { Output } from "./output.js";

export interface ValidateOptions {
  param: Record<string, string>;
  registry: string[];
}

/** `pipewright validate FILE`: every problem at once, each with file:line:column. */
export async function validateCommand(file: string, options: ValidateOptions, output: Output): Promise<number> {
  const c = output.colors;
  const checkCommands = options.registry.length > 0;
  const registry = checkCommands ? await loadRegistry(options.registry) : undefined;
  try {
    const spec = await loadPipelineYaml(file, { params: options.param, knownCommands: registry && registryNames(registry) });
    // Build the pipeline too: its graph is checked (unknown dependencies, cycles, expressions reading
    // steps not waited for), and commands that check their args (exec) do so. Without a registry,
    // stand-ins take the place of the commands the file names.
    Pipeline.fromSpec(spec, registry ?? standIns(specCommandNames(spec)));
    const note = checkCommands ? "" : c.dim(" (command names not checked: no --registry given)");
    output.out(`${c.green("✓")} ${file}: pipeline "${spec.name}", ${spec.steps.length} step${spec.steps.length === 1 ? "" : "s"}${note}\n`);
    return ExitCode.SUCCESS;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    for (const issue of error.issues) {
      const where = issue.location ? `${issue.location.file}:${issue.location.line}:${issue.location.column}` : file;
      output.err(`${c.bold(where)}: ${c.red("error")} ${issue.message}\n`);
    }
    output.err(`${error.issues.length} problem${error.issues.length === 1 ? "" : "s"} in ${file}\n`);
    return ExitCode.INVALID_INPUT;
  }
}

/** A do-nothing command for every name that is not a built-in. */
function standIns(names: readonly string[]): Record<string, Command> {
  return Object.fromEntries(names.filter((name) => !Object.hasOwn(builtinCommands, name)).map((name) => [name, () => null]));
}

/** Registers `pipewright validate`. */
export function registerValidate(program: Program, context: CommandContext): void {
  program
    .command("validate")
    .description("Check a pipeline file and report every problem with file:line:column")
    .argument("<file>", "the pipeline's YAML file")
    .option("-p, --param <KEY=VALUE>", "a value for ${KEY} in the file (repeatable)", collectParam, {})
    .option("-r, --registry <module>", "check command names against these modules (repeatable)", collectList, [])
    .addHelpText("after", "\nExample:\n  $ pipewright validate pipeline.yml --registry ./commands.ts")
    .action(async (file: string, options: Parameters<typeof validateCommand>[1]) => {
      context.exit(await validateCommand(file, options, context.output));
    });
}
