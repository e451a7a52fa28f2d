import path from "node:path";
import type { Json } from "pipewright";
import { z } from "zod";
import { buildAllHistories, DEFAULT_HISTORIES_DIR, DEFAULT_HISTORY_TZ, DEFAULT_MANIFEST_PATH, DEFAULT_MIN_EXPERIMENTS } from "../histories/build-histories.js";
import { takeSnapshot } from "../undo/undo-snapshot.js";
import { labCommand } from "./lab-command.js";

const buildHistoriesArgs = z.object({
  manifest_path: z.string().default(DEFAULT_MANIFEST_PATH),
  output_dir: z.string().default(DEFAULT_HISTORIES_DIR),
  chip_group: z.string().optional(),
  min_experiments: z.number().int().min(1).default(DEFAULT_MIN_EXPERIMENTS),
  tz: z.string().default(DEFAULT_HISTORY_TZ),
  force: z.boolean().default(false),
});

/**
 * `build_all_histories_command`: one history Parquet per chip from the manifest (see
 * `buildAllHistories`). Its output names a snapshot of the histories folder, for `undo_command`.
 */
export const build_all_histories_command = labCommand(buildHistoriesArgs, async (args, ctx) => {
  const outputDir = path.resolve(args.output_dir);
  const undo = await takeSnapshot(path.join(path.dirname(outputDir), ".undo", path.basename(outputDir)), [outputDir]);
  const summary = await buildAllHistories({
    manifestPath: args.manifest_path,
    outputDir: args.output_dir,
    group: args.chip_group,
    minExperiments: args.min_experiments,
    tz: args.tz,
    force: args.force,
  });
  if (summary.upToDate) ctx.log("up to date: the manifest has not changed since the histories were built");
  for (const chip of summary.chips) ctx.log(`${chip.chip}: ${chip.runs} runs`);
  for (const chip of summary.belowMinimum) ctx.log(`${chip.chip}: ${chip.runs} runs, below the minimum of ${args.min_experiments}: no history`);
  return { ...summary, undo } as unknown as Json;
});
