/** What `memory-child.ts` answers, on one `RESULT <json>` line of its stdout. Times in ms. */
import type { Timing } from "./measure.js";
import type { SyncCounts } from "./workload.js";

export interface BareChildReport {
  mode: "bare";
  steps: number;
  bare: Timing;
  peakRssMb: number;
}

export interface EngineChildReport {
  mode: "engine";
  steps: number;
  buildMs: number;
  bare: Timing;
  engine: Timing;
  checkpointed: Timing;
  counts: SyncCounts;
  snapshotMb: number;
  /** The durable floor in µs per step, on 10,000 steps, mean of just before and just after the checkpointed execution. */
  floorUsPerStep: number;
  /** Peak RSS (high-water mark) once the pipeline is built, after one execution without checkpoints, after one with. */
  rssAfterBuildMb: number;
  rssNoCheckpointMb: number;
  rssCheckpointMb: number;
}

export type ChildReport = BareChildReport | EngineChildReport;

export const RESULT_PREFIX = "RESULT ";
