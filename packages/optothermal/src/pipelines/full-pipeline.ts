import type { CommandStepSpec, PipelineSpec } from "pipewright";

export interface FullPipelineOptions {
  /** Files staged, and runs measured, in parallel. */
  workers: number;
  /** Restage and recompute everything, changed or not. */
  force: boolean;
  /** Stop after the histories. */
  skipMetrics: boolean;
  /** Only chips of this group get histories and metrics. */
  group?: string;
  /** Chips with fewer runs get no history. */
  min: number;
}

/** Every lab step that writes files is undone by restoring the snapshot it took (see `undo_command`). */
const UNDO = { command: "undo_command", args: {} };

/**
 * `full-pipeline-v2` as data: stage the raw files, build the chip histories, derive the metrics, plot
 * every chip. `--save-yaml` writes this spec, and `run-pipeline-yaml` runs it back.
 */
export function fullPipelineSpec(options: FullPipelineOptions): PipelineSpec {
  const group: Record<string, string> = options.group !== undefined ? { chip_group: options.group } : {};
  const steps: CommandStepSpec[] = [
    stageStep(options),
    {
      name: "histories",
      command: "build_all_histories_command",
      description: "One history per chip, runs in time order",
      args: { min_experiments: options.min, force: options.force, ...group },
      rollback: UNDO,
    },
  ];
  if (!options.skipMetrics) steps.push(metricsStep(options));
  steps.push({
    name: "plots",
    command: "plot_all_chips_command",
    description: "The figures of every chip; a failed plot does not fail the run",
    args: { force: options.force, ...(options.skipMetrics && { plots: ["ivg", "its"] }) },
    skipOnError: true,
  });
  return { name: "full-pipeline-v2", description: "Stage the lab's raw files, build chip histories, derive metrics, plot", steps };
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
    rollback: UNDO,
  };
}

/** The metrics step: retried once (a run's file read while it was being replaced). */
export function metricsStep(options: { workers: number; force: boolean; group?: string }): CommandStepSpec {
  return {
    name: "metrics",
    command: "derive_all_metrics_command",
    description: "CNP, photoresponse and calibrated laser power of every run; enriched histories",
    args: { workers: options.workers, force: options.force, ...(options.group !== undefined && { chip_group: options.group }) },
    retryCount: 1,
    rollback: UNDO,
  };
}
