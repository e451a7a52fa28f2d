import { builtinCommands, loadPipelineYaml, Pipeline, registryNames, specCommandNames, ValidationError, type Command } from "pipewright";
import { ExitCode } from "./exit-codes.js";
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
