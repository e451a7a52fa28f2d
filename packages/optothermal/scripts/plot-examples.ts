// The example figures of the docs, from demo data: `npx tsx packages/optothermal/scripts/plot-examples.ts`.
// Demo data → staging → histories → metrics → docs/images/plot-*.png.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateDemoData } from "../src/demo/generate.js";
import { deriveAllMetrics } from "../src/derived/derive-all-metrics.js";
import { buildAllHistories } from "../src/histories/build-histories.js";
import { plotCnpTime, plotIts, plotIvg, plotLaserCalibration, plotPhotoresponse } from "../src/plots/index.js";
import { stageAll } from "../src/staging/stage-all.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const images = path.resolve(here, "../../../docs/images");

const dir = await mkdtemp(path.join(tmpdir(), "optothermal-plot-examples-"));
try {
  await generateDemoData({ out: path.join(dir, "01_raw"), chips: 2, days: 3, seed: 3 });
  const staged = await stageAll({ rawRoot: path.join(dir, "01_raw"), stageRoot: path.join(dir, "02_stage", "raw_measurements") });
  const historiesDir = path.join(dir, "02_stage", "chip_histories");
  await buildAllHistories({ manifestPath: staged.manifestPath, outputDir: historiesDir });
  const chip = { chip: "Demo1", historiesDir, format: "png" as const };
  const written = [
    await plotIvg({ ...chip, output: path.join(images, "plot-ivg.png") }),
    await plotIts({ ...chip, seq: "2-4", output: path.join(images, "plot-its.png") }),
    await plotLaserCalibration({ manifestPath: staged.manifestPath, output: path.join(images, "plot-laser-calibration.png") }),
  ];
  const { metricsPath } = await deriveAllMetrics({ manifestPath: staged.manifestPath, historiesDir, outputDir: path.join(dir, "03_derived") });
  written.push(
    await plotCnpTime({ ...chip, metricsPath, output: path.join(images, "plot-cnp-time.png") }),
    await plotPhotoresponse({ ...chip, metricsPath, output: path.join(images, "plot-photoresponse.png") }),
  );
  for (const result of written) console.log(`${result.plot}: ${result.path}${result.notes.map((n) => `\n  note: ${n}`).join("")}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
