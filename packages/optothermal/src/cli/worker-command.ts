import type { Command as Program } from "commander";
import { registerWorkerCommand } from "@pipewright/cli";
import { LAB_REGISTRY } from "../pipelines/lab-registry.js";
import type { LabContext } from "./lab-context.js";

/**
 * `process-and-analyze worker`: runs the steps of lab pipelines started elsewhere with
 * `--executor bullmq`, with every lab command. Start it in the project directory: the lab's
 * commands read and write `data/…` relative to where they run.
 */
export function registerLabWorker(program: Program, context: LabContext): void {
  registerWorkerCommand(program, context, {
    programName: "process-and-analyze",
    registry: LAB_REGISTRY,
    note: "Start it in the project's directory, as the coordinator: the lab's commands read and write data/… relative to where they run.",
    examples: [
      "worker --redis redis://queue-host:6379",
      "worker --redis redis://queue-host:6379 --concurrency 2 --prefix lab",
      "full-pipeline-v2 --executor bullmq --redis redis://queue-host:6379 --prefix lab   # the coordinator",
    ],
  });
}
