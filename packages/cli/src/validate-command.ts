import { loadPipelineYaml, Pipeline, registryNames, ValidationError } from "pipewright";
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
    // With the commands at hand, build the pipeline too: commands that check their args (exec) do so now.
    if (registry) Pipeline.fromSpec(spec, registry);
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
