import path from "node:path";
import type { Json } from "pipewright";
import { z } from "zod";
import { DEFAULT_HISTORIES_DIR, DEFAULT_MANIFEST_PATH } from "../histories/build-histories.js";
import { DEFAULT_DERIVED_DIR, DEFAULT_STALE_THRESHOLD_HOURS, deriveAllMetrics } from "../derived/derive-all-metrics.js";
import { DEFAULT_METRIC_PROCEDURES } from "../derived/run-extractors.js";
import { ENRICHED_HISTORIES_DIR } from "../derived/enrich-histories.js";
import { metricsPath } from "../derived/metrics-file.js";
import { takeSnapshot } from "../undo/undo-snapshot.js";
import { labCommand } from "./lab-command.js";

const deriveMetricsArgs = z.object({
  procedures: z.array(z.string()).min(1).default([...DEFAULT_METRIC_PROCEDURES]),
  chip_group: z.string().optional(),
  workers: z.number().int().min(1).default(2),
  force: z.boolean().default(false),
  /** Hours. */
  stale_threshold: z.number().min(0).default(DEFAULT_STALE_THRESHOLD_HOURS),
  manifest_path: z.string().default(DEFAULT_MANIFEST_PATH),
  histories_dir: z.string().default(DEFAULT_HISTORIES_DIR),
  output_dir: z.string().default(DEFAULT_DERIVED_DIR),
});

/**
 * `derive_all_metrics_command`: the metrics of every staged run and the enriched histories (see
 * `deriveAllMetrics`); progress is runs seen of all, each failed run and each warning is logged. Its
 * output names a snapshot of the metrics file and the enriched histories, for `undo_command`.
 */
export const derive_all_metrics_command = labCommand(deriveMetricsArgs, async (args, ctx) => {
  const undo = await takeSnapshot(path.join(args.output_dir, ".undo"), [metricsPath(args.output_dir), path.join(args.output_dir, ENRICHED_HISTORIES_DIR)]);
  const summary = await deriveAllMetrics({
    manifestPath: args.manifest_path,
    historiesDir: args.histories_dir,
    outputDir: args.output_dir,
    procedures: args.procedures,
    group: args.chip_group,
    workers: args.workers,
    force: args.force,
    staleThresholdHours: args.stale_threshold,
    signal: ctx.signal,
    onRun: ({ done, total }) => ctx.progress(done, total),
    onWarning: (message) => ctx.log(`warning: ${message}`),
  });
  for (const failure of summary.failures) ctx.log(`failed: ${failure.reason}`);
  const statuses = Object.entries(summary.calibration).map(([status, n]) => `${n} ${status}`).join(", ");
  ctx.log(
    `${summary.runsProcessed} runs measured, ${summary.runsSkipped} up to date, ${summary.runsFailed} failed; calibration ${statuses}; ` +
      `${summary.metricsRows} metric rows in ${summary.metricsPath}`,
  );
  if (summary.aborted) throw ctx.signal.reason ?? new Error("metrics extraction stopped before the end");
  return { ...summary, undo } as unknown as Json;
});
