/**
 * The README's TypeScript example, runnable: `npx tsx examples/typescript-api/pipeline.ts`.
 * Stages a few "raw" files into a staging folder, then summarises them; the second step fails on
 * its first attempt to show a retry, and rollback removes the staging folder if a later step fails.
 */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PermanentError, Pipeline, type PipelineResult, type StepContext } from "pipewright";

async function stageAll(args: { rawRoot: string; stageRoot: string; workers: number }, ctx: StepContext) {
  await mkdir(args.stageRoot, { recursive: true });
  for (let i = 0; i < args.workers; i++) await writeFile(join(args.stageRoot, `part-${i}.txt`), `from ${args.rawRoot}\n`);
  ctx.log(`staged ${args.workers} parts into ${args.stageRoot}`);
  return { stageRoot: args.stageRoot, parts: args.workers };
}

async function buildHistories(_args: Record<string, never>, ctx: StepContext) {
  if (ctx.attempt === 1) throw new Error("the history index was locked (simulated)"); // retried
  const staged = ctx.outputs["stage-data"] as { stageRoot: string } | undefined;
  if (!staged) throw new PermanentError("stage-data produced nothing"); // never retried
  return { histories: (await readdir(staged.stageRoot)).length };
}

export function createPipeline(dataDir: string, checkpointDir?: string): Pipeline {
  const stageRoot = join(dataDir, "02_stage");
  const pipeline = new Pipeline({ name: "my-pipeline", description: "Custom data processing workflow", checkpointDir });
  return pipeline
    .addStep("stage-data", stageAll, {
      args: { rawRoot: join(dataDir, "01_raw"), stageRoot, workers: 8 },
      retryCount: 2,
      rollback: () => rm(stageRoot, { recursive: true, force: true }),
    })
    .addStep("build-histories", buildHistories, { skipOnError: false, retryCount: 1, retryDelay: 0.1 });
}

export async function main(dataDir = "data/examples/typescript-api", checkpointDir?: string): Promise<PipelineResult> {
  const result = await createPipeline(dataDir, checkpointDir).execute({ stopOnError: true, enableRollback: true });
  if (result.success) console.log(`✓ Pipeline completed in ${result.totalTime.toFixed(1)}s`);
  else console.log(`✗ ${result.steps.find((s) => s.status === "failed")?.error}`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
