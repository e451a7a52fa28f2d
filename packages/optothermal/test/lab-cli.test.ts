import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Pipeline } from "pipewright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { LAB_REGISTRY } from "../src/pipelines/lab-registry.js";
import { captureOutput } from "./capture-output.js";
import { processAndAnalyze } from "./lab-process.js";

describe("process-and-analyze", () => {
  let dir: string;
  let raw: string;
  let stage: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "lab-cli-"));
    raw = path.join(dir, "raw");
    stage = path.join(dir, "stage");
    expect(await main(["demo-data", "--out", raw, "--chips", "2", "--days", "1", "--seed", "5"], captureOutput())).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("stage-all prints counts by procedure and every reject with its file and line", async () => {
    const output = captureOutput();
    expect(await main(["stage-all", "--raw-root", raw, "--stage-root", stage], output)).toBe(0);
    const text = output.outText();
    expect(text).toMatch(/^Staged 13 file\(s\), skipped 0 unchanged, rejected 5 \(18 in [\d.]+ s\)$/m);
    expect(text).toMatch(/^ {2}IVg +4 +0 +2$/m);
    expect(text).toMatch(/^ {2}LaserCalibration +3 +0 +0$/m);
    expect(text).toMatch(/IVg\S+_broken-missing-data-marker\.csv:20: no `#Data:` line/);
    expect(text).toContain(`Manifest: ${path.join(stage, "_manifest", "manifest.parquet")} (13 runs)`);

    const strict = captureOutput();
    expect(await main(["stage-all", "--raw-root", raw, "--stage-root", stage, "--strict"], strict)).toBe(1);
    expect(strict.outText()).toMatch(/^Staged 0 file\(s\), skipped 13 unchanged, rejected 5/m);
    expect(strict.errText()).toContain("--strict: 5 file(s) rejected");
  });

  it("says what to do about a missing raw folder or manifest, without a stack trace", async () => {
    const output = captureOutput();
    expect(await main(["stage-all", "--raw-root", path.join(dir, "nowhere"), "--stage-root", stage], output)).toBe(2);
    expect(output.errText()).toMatch(/^error: raw folder .*nowhere does not exist \(give --raw-root, or write demo data with `process-and-analyze demo-data`\)\n$/);
    const histories = captureOutput();
    expect(await main(["build-all-histories", "--manifest-path", path.join(dir, "none.parquet")], histories)).toBe(2);
    expect(histories.errText()).toMatch(/^error: no manifest at .*none\.parquet: run stage-all first/);
  });

  it("build-all-histories lists one history per chip", async () => {
    const output = captureOutput();
    const manifest = path.join(stage, "_manifest", "manifest.parquet");
    const out = path.join(dir, "histories");
    expect(await main(["build-all-histories", "--manifest-path", manifest, "--output-dir", out], output)).toBe(0);
    expect(output.outText()).toMatch(/^Histories for 2 chip\(s\) from 13 runs \(3 calibration runs have no chip/);
    expect(output.outText()).toMatch(/^ {2}Demo1 +5 +2025-10-20 +2025-10-20 +\S+Demo1_history\.parquet$/m);
    expect(existsSync(path.join(out, "Demo2_history.parquet"))).toBe(true);
  });

  it("checks a pipeline's lab args when it is loaded, naming the step and the arg", async () => {
    const file = path.join(dir, "bad.yml");
    await writeFile(file, "name: bad\nsteps:\n  - name: stage\n    command: stage_all_command\n    kwargs:\n      workers: two\n      forse: true\n");
    await expect(Pipeline.fromYaml(file, LAB_REGISTRY)).rejects.toThrow(
      /bad\.yml:3:5: Step "stage": arg `workers`: Invalid input: expected number, received string\n.*bad\.yml:3:5: Step "stage": unknown arg `forse`/,
    );
  });

  it("npm start's commands: demo data only into an empty folder, then full-pipeline-v2; a second run stages nothing", async () => {
    const project = path.join(dir, "project");
    const demo = await processAndAnalyze(dir, "demo-data", "--if-empty", "--out", path.join(project, "data", "01_raw"), "--chips", "2", "--days", "1");
    expect(demo.code).toBe(0);
    const first = await processAndAnalyze(project, "full-pipeline-v2");
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/✓ succeeded full-pipeline-v2 in [\d.]+s — 4 ok · 0 failed · 0 skipped/);
    expect(existsSync(path.join(project, "data", "02_stage", "chip_histories", "Demo1_history.parquet"))).toBe(true);

    const second = await processAndAnalyze(project, "full-pipeline-v2");
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("0 staged, 13 unchanged, 5 rejected");

    const saved = await processAndAnalyze(project, "full-pipeline-v2", "--save-yaml", "full.yml", "--workers", "3");
    expect(saved.stdout).toContain("Wrote full.yml");
    expect(await readFile(path.join(project, "full.yml"), "utf8")).toMatch(/command: stage_all_command\n\s+kwargs:\n\s+workers: 3\n/);
    const fromYaml = await processAndAnalyze(project, "run-pipeline-yaml", "full.yml");
    expect(fromYaml.code).toBe(0);
    expect(fromYaml.stdout).toMatch(/✓ succeeded full-pipeline-v2 in [\d.]+s — 4 ok/);
    expect(fromYaml.stdout).toMatch(/chip histories +data\/02_stage\/chip_histories +\(Demo1, Demo2\)/);
  }, 180_000); // real processes, one after the other: minutes on a loaded 2-core machine
});
