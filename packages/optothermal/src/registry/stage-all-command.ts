import type { Json } from "pipewright";
import { z } from "zod";
import { DEFAULT_RAW_ROOT, DEFAULT_STAGE_ROOT, DEFAULT_STAGE_TZ, stageAll } from "../staging/stage-all.js";
import { labCommand } from "./lab-command.js";

const stageAllArgs = z.object({
  raw_root: z.string().default(DEFAULT_RAW_ROOT),
  stage_root: z.string().default(DEFAULT_STAGE_ROOT),
  procedures_yaml: z.string().optional(),
  workers: z.number().int().min(1).default(2),
  force: z.boolean().default(false),
  strict: z.boolean().default(false),
  tz: z.string().default(DEFAULT_STAGE_TZ),
});

/**
 * `stage_all_command`: stages the raw files (see `stageAll`); progress is files seen of all, each
 * rejected file is logged, and in `strict` mode any reject fails the step.
 */
export const stage_all_command = labCommand(stageAllArgs, async (args, ctx) => {
  const summary = await stageAll({
    rawRoot: args.raw_root,
    stageRoot: args.stage_root,
    catalogue: args.procedures_yaml,
    workers: args.workers,
    force: args.force,
    strict: args.strict,
    tz: args.tz,
    signal: ctx.signal,
    onFile: ({ done, total }) => ctx.progress(done, total),
  });
  for (const reject of summary.rejects) ctx.log(`rejected: ${reject.reason}`);
  ctx.log(`${summary.staged} staged, ${summary.skipped} unchanged, ${summary.rejected} rejected; manifest ${summary.manifestRows} runs`);
  if (summary.aborted) throw ctx.signal.reason ?? new Error("staging stopped before the end");
  return summary as unknown as Json;
});
