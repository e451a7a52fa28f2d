import type { PipelineSpec } from "pipewright";
import { stageStep } from "./full-pipeline.js";

export interface QuickStagingOptions {
  workers: number;
  force: boolean;
}

/** `quick-staging`: the stage step of `full-pipeline-v2` alone. */
export function quickStagingSpec(options: QuickStagingOptions): PipelineSpec {
  return { name: "quick-staging", description: "Stage new raw files into Parquet and the manifest", steps: [stageStep(options)] };
}
