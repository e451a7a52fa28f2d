import { Option, type Command as Program } from "commander";
import type { CommandContext } from "./command-context.js";
import { ExitCode } from "./exit-codes.js";
import { GRAPH_FORMATS, graphAsDot, graphAsMermaid, graphAsText, type GraphFormat } from "./graph-format.js";
import { loadPipelineFile } from "./load-pipeline.js";
import { collectList, collectParam } from "./params.js";

interface GraphOptions {
  format: GraphFormat;
  param: Record<string, string>;
  registry: string[];
}

/** Registers `pipewright graph`. */
export function registerGraph(program: Program, context: CommandContext): void {
  program
    .command("graph")
    .description("Show the dependency graph of a pipeline file")
    .argument("<file>", "the pipeline's YAML file")
    .addOption(new Option("-f, --format <format>", "text (for a terminal), mermaid or dot").choices(GRAPH_FORMATS).default("text"))
    .option("-p, --param <KEY=VALUE>", "a value for ${KEY} in the file (repeatable)", collectParam, {})
    .option("-r, --registry <module>", "check command names against these modules (repeatable)", collectList, [])
    .addHelpText(
      "after",
      `
Examples:
  $ pipewright graph pipeline.yml
  $ pipewright graph pipeline.yml --format mermaid > graph.mmd
  $ pipewright graph pipeline.yml --format dot | dot -Tsvg > graph.svg`,
    )
    .action(async (file: string, options: GraphOptions) => {
      const { pipeline } = await loadPipelineFile(file, options);
      const graph = pipeline.graph();
      const text =
        options.format === "mermaid" ? graphAsMermaid(graph) : options.format === "dot" ? graphAsDot(pipeline.name, graph) : graphAsText(pipeline.name, graph);
      context.output.out(text);
      context.exit(ExitCode.SUCCESS);
    });
}
