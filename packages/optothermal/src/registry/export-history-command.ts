import { z } from "zod";
import { DEFAULT_DERIVED_DIR } from "../derived/derive-all-metrics.js";
import { DEFAULT_HISTORIES_DIR } from "../histories/build-histories.js";
import { exportHistoryCsv } from "../histories/export-history-csv.js";
import { labCommand } from "./lab-command.js";

const exportArgs = z.object({
  chip_group: z.string(),
  chip_number: z.number().int(),
  histories_dir: z.string().default(DEFAULT_HISTORIES_DIR),
  derived_dir: z.string().default(DEFAULT_DERIVED_DIR),
  output: z.string().optional(),
});

/** `export_history_csv_command`: a chip's history (enriched when it can be) as CSV. */
export const export_history_csv_command = labCommand(exportArgs, async (args, ctx) => {
  const result = await exportHistoryCsv({
    group: args.chip_group, number: args.chip_number, historiesDir: args.histories_dir, derivedDir: args.derived_dir, output: args.output,
  });
  ctx.log(`${result.rows} runs${result.enriched ? " with their metrics" : ""} → ${result.path}`);
  return result;
});
