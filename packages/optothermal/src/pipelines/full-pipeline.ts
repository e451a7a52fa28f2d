import type { CommandStepSpec, PipelineSpec, StepSpec } from "pipewright";

export interface FullPipelineOptions {
  /** Files staged in parallel. */
  workers: number;
  /** Restage and rebuild everything, changed or not. */
  force: boolean;
  /** Only chips of this group get histories. */
  group?: string;
  /** Chips with fewer runs get no history. */
  min: number;
}

/**
 * `full-pipeline-v2` as data: stage the raw files, then build the chip histories. `--save-yaml`
 * writes this spec, and `run-pipeline-yaml` runs it back.
 */
export function fullPipelineSpec(options: FullPipelineOptions): PipelineSpec {
  const steps: StepSpec[] = [
    stageStep(options),
    {
      name: "histories",
      command: "build_all_histories_command",
      description: "One history per chip, runs in time order",
      args: { min_experiments: options.min, ...(options.group !== undefined && { chip_group: options.group }) },
    },
  ];
  return { name: "full-pipeline-v2", description: "Stage the lab's raw files and build the chip histories", steps };
}

/**
 * The stage step. Retried: a file still being written by the acquisition software reads fine a
 * moment later, while bad files are rejects, not failures.
 */
export function stageStep(options: { workers: number; force: boolean }): CommandStepSpec {
  return {
    name: "stage",
    command: "stage_all_command",
    description: "Raw CSV files → one Parquet per run, the manifest and the rejects",
    args: { workers: options.workers, force: options.force },
    retryCount: 2,
  };
}
