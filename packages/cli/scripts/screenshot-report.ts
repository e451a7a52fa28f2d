/**
 * Makes docs/images/report.png: runs a small pipeline for real (a parallel group, a retry, a map step
 * with a failed item, a nested pipeline, a failure), writes its report and photographs it in Chromium.
 *   npx tsx packages/cli/scripts/screenshot-report.ts [output.png]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { CheckpointStore, Pipeline, type StepContext } from "pipewright";
import { renderReport } from "../src/report/report-html.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const out = resolve(process.argv[2] ?? join(ROOT, "docs/images/report.png"));
const sleep = (seconds: number) => new Promise((done) => setTimeout(done, seconds * 1000));
const work = (seconds: number, output: unknown = null) => async () => {
  await sleep(seconds);
  return output;
};

async function runDemo(dir: string) {
  const files = Array.from({ length: 12 }, (_, i) => `raw/run-${String(i + 1).padStart(2, "0")}.csv`);
  let calibrations = 0;
  const chip = new Pipeline({ name: "chip" })
    .addStep("load-history", work(0.25, { rows: 4812 }))
    .addStep("fit-model", work(0.35, { r2: 0.981 }))
    .addStep("plots", work(0.2, { pngs: 14 }));
  const pipeline = new Pipeline({ name: "chip-analysis", description: "Stage raw runs, analyse chip 67, export the metrics", checkpointDir: dir })
    .addStep("list-files", work(0.12, { files }))
    .addMapStep("stage-files", {
      items: "${{ steps.list-files.output.files }}",
      itemArg: "path",
      concurrency: 4,
      allowedFailures: 1,
      command: async (args: { path: string }) => {
        await sleep(0.08 + (args.path.length % 5) * 0.02);
        if (args.path.endsWith("07.csv")) throw new Error(`${args.path}: unexpected end of file at line 2210`);
        return args.path.replace("raw/", "stage/");
      },
    })
    .addParallelGroup("analyses", [
      { name: "histories", command: work(0.55, { series: 12 }) },
      {
        name: "calibration",
        retryCount: 3,
        retryDelay: 0.15,
        command: async (_args: unknown, ctx: StepContext) => {
          await sleep(0.12);
          if (++calibrations < 3) throw new Error(`laser power meter timed out (attempt ${ctx.attempt})`);
          await sleep(0.15);
          return { offset: 0.013 };
        },
      },
      { name: "quality-checks", command: work(0.4, { flagged: 2 }) },
    ])
    .addSubpipeline("chip", chip, { dependsOn: ["stage-files"] })
    .addStep("derive-metrics", work(0.3, { metrics: 38 }), { dependsOn: ["analyses", "chip"] })
    .addStep(
      "export-csv",
      async () => {
        await sleep(0.18);
        throw new Error("ValueError: Missing CNP data for chip 67 (column 'cnp' not found in metrics.csv)");
      },
      { dependsOn: ["derive-metrics"] },
    )
    .addStep("publish", work(0.1), { dependsOn: ["export-csv"] });
  const result = await pipeline.execute({ params: { CHIP: "67", OUTPUT_DIR: "output" }, concurrency: 4 });
  return { path: result.checkpointPath as string, record: await new CheckpointStore(dir).load(result.checkpointPath as string) };
}

const tmp = await mkdtemp(join(tmpdir(), "pipewright-report-"));
try {
  const { path, record } = await runDemo(join(tmp, "data/.pipeline_checkpoints"));
  const html = join(tmp, "report.html");
  await writeFile(html, renderReport(record, { checkpointPath: relative(tmp, path) }));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1.5 });
    await page.goto(pathToFileURL(html).href);
    // Down to the errors: the steps table below adds length, not much to see.
    const errors = await page.locator("#errors").boundingBox(); // page coordinates: the page has not scrolled
    const clip = errors ? { x: 0, y: 0, width: 1280, height: errors.y + errors.height + 24 } : undefined;
    await page.screenshot({ path: out, fullPage: true, clip });
  } finally {
    await browser.close();
  }
  console.log(`Wrote ${relative(process.cwd(), out)}`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
