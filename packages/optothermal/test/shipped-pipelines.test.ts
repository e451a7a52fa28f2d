import { readdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Pipeline } from "pipewright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoData } from "../src/demo/generate.js";
import { LAB_REGISTRY } from "../src/pipelines/lab-registry.js";
import { processAndAnalyze } from "./lab-process.js";

const PIPELINES = fileURLToPath(new URL("../config/pipelines/", import.meta.url));

describe("the pipelines shipped in config/pipelines run as shipped", () => {
  let project: string;
  const yaml = (name: string) => path.join(PIPELINES, name);

  beforeAll(async () => {
    project = await mkdtemp(path.join(tmpdir(), "shipped-pipelines-"));
    await generateDemoData({ out: path.join(project, "data", "01_raw"), chips: 2, days: 1, seed: 21 });
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it("all four load with every lab command and valid args", async () => {
    expect(readdirSync(PIPELINES).sort()).toEqual(["analyze-chip.yml", "chip-specific.yml", "full-pipeline.yml", "quick-staging.yml"]);
    for (const name of ["full-pipeline.yml", "quick-staging.yml", "chip-specific.yml"]) {
      await expect(Pipeline.fromYaml(yaml(name), LAB_REGISTRY)).resolves.toBeInstanceOf(Pipeline);
    }
    await expect(Pipeline.fromYaml(yaml("analyze-chip.yml"), LAB_REGISTRY, { params: { CHIP_NUMBER: "1" } })).resolves.toBeInstanceOf(Pipeline);
  });

  it("quick-staging.yml, then full-pipeline.yml, chip-specific.yml and analyze-chip.yml on demo data", async () => {
    const quick = await processAndAnalyze(project, "run-pipeline-yaml", yaml("quick-staging.yml"));
    expect(quick.stdout).toContain("13 staged, 0 unchanged, 5 rejected");
    expect(quick.code).toBe(0);

    const full = await processAndAnalyze(project, "run-pipeline-yaml", yaml("full-pipeline.yml"), "--param", "WORKERS=1");
    expect(full.stdout).toMatch(/✓ succeeded full-pipeline in [\d.]+s — 4 ok · 0 failed · 0 skipped/);
    expect(full.stdout).toContain("0 staged, 13 unchanged, 5 rejected");
    expect(full.stdout).toMatch(/10 runs measured, 0 up to date, 0 failed/);

    const chip = await processAndAnalyze(project, "run-pipeline-yaml", yaml("chip-specific.yml"));
    expect(chip.stdout).toMatch(/✓ succeeded chip-specific in [\d.]+s — 2 ok/);
    expect(chip.stdout).toContain("Demo1: 5 runs");

    const one = await processAndAnalyze(project, "run-pipeline-yaml", yaml("analyze-chip.yml"), "--param", "CHIP_NUMBER=2");
    expect(one.stdout).toMatch(/✓ succeeded analyze-chip in [\d.]+s — 3 ok/);
    const csv = (await readFile(path.join(project, "data", "05_exports", "Demo2_history.csv"), "utf8")).trim().split("\n");
    expect(csv[0]).toMatch(/^seq,run_id,proc,chip_group,chip_number,.*,cnp_voltage,.*,irradiated_power_w$/);
    expect(csv).toHaveLength(1 + 5);

    const unset = await processAndAnalyze(project, "run-pipeline-yaml", yaml("analyze-chip.yml"));
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/analyze-chip\.yml:\d+:\d+: unset variable \$\{CHIP_NUMBER\} \(give it with --param CHIP_NUMBER=\.\.\./);
  }, 180_000); // real processes, one after the other: minutes on a loaded 2-core machine
});
