import { createHash } from "node:crypto";
import { readdir, readFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoData } from "../src/demo/generate.js";
import { processAndAnalyze } from "./lab-process.js";

/** Every file under `root` with a hash of its bytes, the snapshots kept for undo left out. */
async function contents(root: string): Promise<Record<string, string>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const files: Record<string, string> = {};
  for (const entry of entries.filter((e) => e.isFile())) {
    const file = path.join(entry.parentPath, entry.name);
    const relative = path.relative(root, file);
    if (relative.split(path.sep).some((part) => part === "undo" || part === ".undo")) continue;
    files[relative] = createHash("sha256").update(await readFile(file)).digest("hex").slice(0, 16);
  }
  return files;
}

describe("full-pipeline-v2 end to end (the real program, on demo data)", () => {
  let project: string;
  const stage = () => path.join(project, "data", "02_stage");

  beforeAll(async () => {
    project = await mkdtemp(path.join(tmpdir(), "full-pipeline-"));
    await generateDemoData({ out: path.join(project, "data", "01_raw"), chips: 2, days: 1, seed: 11 });
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it("runs every step; a second run does no work; --force does it all again", async () => {
    const first = await processAndAnalyze(project, "full-pipeline-v2");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/✓ succeeded full-pipeline-v2 in [\d.]+s — 4 ok · 0 failed · 0 skipped/);
    expect(first.stdout).toContain("13 staged, 0 unchanged, 5 rejected");
    expect(first.stdout).toMatch(/metrics +data\/03_derived\/_metrics\/metrics\.parquet +\(\d+ rows\)/);
    expect(first.stdout).toMatch(/plots +data\/04_plots +\(8 figures\)/);
    const afterFirst = await contents(path.join(project, "data"));

    const second = await processAndAnalyze(project, "full-pipeline-v2");
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("0 staged, 13 unchanged, 5 rejected");
    expect(second.stdout).toContain("up to date: the manifest has not changed since the histories were built");
    expect(second.stdout).toMatch(/0 runs measured, 10 up to date, 0 failed/);
    expect(second.stdout).toContain("Demo1: up to date");
    // Nothing was rewritten: every output has the same bytes (checkpoints aside).
    const afterSecond = await contents(path.join(project, "data"));
    const outputsOnly = (files: Record<string, string>) => Object.fromEntries(Object.entries(files).filter(([name]) => !name.startsWith(".pipeline_checkpoints")));
    expect(outputsOnly(afterSecond)).toEqual(outputsOnly(afterFirst));

    const forced = await processAndAnalyze(project, "full-pipeline-v2", "--force");
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("13 staged, 0 unchanged, 5 rejected");
    expect(forced.stdout).toMatch(/10 runs measured, 0 up to date, 0 failed/);
    expect(forced.stdout).toContain("Demo1 ivg:");
  }, 180_000); // real processes, one after the other: minutes on a loaded 2-core machine

  it("with --rollback, a failure in metrics puts staging and histories back as they were before the run", async () => {
    // New raw files, so that this run's staging really changes the stage.
    await generateDemoData({ out: path.join(project, "data", "01_raw"), chips: 2, days: 1, seed: 12, startDate: "2025-11-03" });
    const before = await contents(stage());
    // The failure: the metrics folder cannot be created, because a file has its name.
    await rm(path.join(project, "data", "03_derived"), { recursive: true, force: true });
    await writeFile(path.join(project, "data", "03_derived"), "not a folder\n");

    const failed = await processAndAnalyze(project, "full-pipeline-v2", "--rollback");
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("13 staged, 13 unchanged, 10 rejected");
    expect(failed.stderr).toMatch(/Step metrics failed: .*03_derived/);
    expect(failed.stderr).toMatch(/Resume with: process-and-analyze full-pipeline-v2 --workers 2 --min 1 --rollback --resume \d{8}_\d{6}/);
    expect(failed.stdout).toMatch(/stage +↶ rolled_back/);
    expect(failed.stdout).toMatch(/histories +↶ rolled_back/);
    expect(await contents(stage())).toEqual(before);
  }, 180_000); // real processes, one after the other: minutes on a loaded 2-core machine
});
