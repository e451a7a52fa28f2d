import type { Json } from "pipewright";
import { z } from "zod";
import path from "node:path";
import { DEFAULT_RAW_ROOT, DEFAULT_STAGE_ROOT, DEFAULT_STAGE_TZ, stageAll } from "../staging/stage-all.js";
import { manifestPath } from "../staging/manifest.js";
import { queryRows } from "../staging/query-parquet.js";
import { rejectsPath } from "../staging/rejects.js";
import { sqlString } from "../staging/sql.js";
import { journalPath } from "../staging/staging-journal.js";
import { recordCreated, takeSnapshot } from "../undo/undo-snapshot.js";
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
 * rejected file is logged, and in `strict` mode any reject fails the step. Its output names a
 * snapshot of the manifest and rejects, and the runs it added, for `undo_command`.
 */
export const stage_all_command = labCommand(stageAllArgs, async (args, ctx) => {
  const manifest = manifestPath(args.stage_root);
  const before = await runIds(manifest);
  const undo = await takeSnapshot(path.join(path.dirname(manifest), "undo"), [manifest, rejectsPath(args.stage_root), journalPath(args.stage_root)]);
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
  const added = [...(await runIds(manifest))].filter(([id]) => !before.has(id)).map(([, file]) => path.dirname(file));
  await recordCreated(undo, added, args.stage_root);
  return { ...summary, undo } as unknown as Json;
});

/** The manifest's runs: run_id → staged Parquet. */
async function runIds(manifest: string): Promise<Map<string, string>> {
  const rows = await queryRows(`SELECT run_id, parquet_path FROM read_parquet(${sqlString(manifest)})`).catch(() => []);
  return new Map(rows.map((row) => [String(row.run_id), String(row.parquet_path)]));
}
