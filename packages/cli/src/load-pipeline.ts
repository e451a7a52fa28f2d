import { builtinCommands, loadPipelineYaml, Pipeline, registryNames, specCommandNames, type Command } from "pipewright";
import { loadRegistry } from "./load-registry.js";

export interface LoadPipelineOptions {
  param: Record<string, string>;
  registry: string[];
  checkpointDir?: string;
}

/**
 * Loads a pipeline file with its registry modules. Without any (`validate` and `graph` need no commands
 * to run), do-nothing stand-ins take the place of the commands the file names (returned in `standIns`),
 * so the graph is still built and checked: unknown dependencies, cycles, expressions reading steps not
 * waited for.
 */
export async function loadPipelineFile(file: string, options: LoadPipelineOptions): Promise<{ pipeline: Pipeline; standIns: string[] }> {
  const registry = options.registry.length > 0 ? await loadRegistry(options.registry) : undefined;
  const spec = await loadPipelineYaml(file, { params: options.param, knownCommands: registry && registryNames(registry) });
  const standIns = registry ? [] : specCommandNames(spec).filter((name) => !Object.hasOwn(builtinCommands, name));
  const commands = registry ?? Object.fromEntries(standIns.map((name): [string, Command] => [name, () => null]));
  const pipeline = Pipeline.fromSpec(spec, commands, { checkpointDir: options.checkpointDir, params: options.param });
  return { pipeline, standIns };
}
