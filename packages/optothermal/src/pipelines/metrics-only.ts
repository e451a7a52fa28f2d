import type { PipelineSpec } from "pipewright";
import { metricsStep } from "./full-pipeline.js";

export interface MetricsOnlyOptions {
  workers: number;
  force: boolean;
  group?: string;
}

/** `metrics-only`: the metrics step of `full-pipeline-v2` alone, on what is already staged. */
export function metricsOnlySpec(options: MetricsOnlyOptions): PipelineSpec {
  return { name: "metrics-only", description: "Derive the metrics of the staged runs", steps: [metricsStep(options)] };
}
