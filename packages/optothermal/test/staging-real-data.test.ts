import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue, stageAll, type Catalogue, type StageAllSummary } from "../src/index.js";
import { queryRows as query } from "../src/staging/query-parquet.js";
import { sqlString as sqlPath } from "../src/staging/sql.js";
import { resumeAfterKill, stageThenKill } from "./stage-killed.js";

// The lab's real files live beside the repository (../shared); they are never copied into it.
const ROOT = fileURLToPath(new URL("../../../../shared/data/optothermal-raw/", import.meta.url));
const present = existsSync(ROOT);
if (!present) console.warn(`staging-real-data: skipped, no real raw files at ${ROOT}`);

describe.skipIf(!present)("stageAll on the real raw files", () => {
  let dir: string;
  let stage: string;
  let catalogue: Catalogue;
  let first: StageAllSummary;
  let manifest: Record<string, unknown>[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "optothermal-staging-real-"));
    stage = path.join(dir, "stage");
    catalogue = await loadCatalogue();
    first = await stageAll({ rawRoot: ROOT, stageRoot: stage, catalogue, workers: 2 });
    manifest = await query(`SELECT * FROM read_parquet(${sqlPath(first.manifestPath)})`);
    const seconds = first.elapsedMs / 1000;
    console.info(`staging-real-data: ${first.staged + first.rejected} files in ${seconds.toFixed(2)} s, ${((first.staged + first.rejected) / seconds).toFixed(0)} files/s (workers 2)`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("stages 160 runs and rejects the aborted It run", () => {
    expect(first).toMatchObject({ staged: 160, skipped: 0, rejected: 1 });
    expect(first.rejects).toEqual([
      { path: path.join(ROOT, "Alisson_25_sept", "It2025-09-25_10.csv"), reason: expect.stringMatching(/It2025-09-25_10\.csv:19: no `Start time` under `#Metadata:`/) as string },
    ]);
    expect(first.byProcedure).toEqual({
      IVg: { staged: 73, skipped: 0, rejected: 0 },
      It: { staged: 69, skipped: 0, rejected: 1 },
      LaserCalibration: { staged: 16, skipped: 0, rejected: 0 },
      IV: { staged: 2, skipped: 0, rejected: 0 },
    });
    expect(manifest).toHaveLength(160);
    expect(new Set(manifest.map((r) => r.run_id)).size).toBe(160);
  });

  it("counts the runs per chip; calibrations have no chip", () => {
    const perChip: Record<string, number> = {};
    for (const row of manifest) {
      const chip = row.chip_number === null ? "none" : `${String(row.chip_group)}${Number(row.chip_number)}`;
      perChip[chip] = (perChip[chip] ?? 0) + 1;
    }
    expect(perChip.none).toBe(16);
    expect(Object.values(perChip).reduce((a, b) => a + b, 0)).toBe(160);
    expect(manifest.filter((r) => r.proc === "LaserCalibration").every((r) => r.chip_number === null)).toBe(true);
  });

  it("records the parameters of IVg2025-10-14_1.csv as read by hand", async () => {
    const row = manifest.find((r) => r.source_path === path.join(ROOT, "2025-10-14", "IVg2025-10-14_1.csv"));
    expect(row).toMatchObject({
      proc: "IVg", chip_group: "Alisson", chip_number: 80, vds: 0.1, vg_start: -5, vg_end: 5, laser_wavelength: 455, laser_voltage: 0,
      has_light: false, date_local: "2025-10-14", date_source: "metadata", warnings: [], open_circuit: false,
    });
    const [data] = await query(`SELECT count(*) AS n, min(vg_v) AS lo, max(vg_v) AS hi FROM read_parquet(${sqlPath(String(row?.parquet_path))})`);
    expect(data).toEqual({ n: row?.rows, lo: -5, hi: 5 });
  });

  it("gives It runs a duration and light from the laser voltage", () => {
    const it = manifest.filter((r) => r.proc === "It");
    expect(it.every((r) => typeof r.duration_s === "number" && r.duration_s > 0)).toBe(true);
    expect(it.filter((r) => r.has_light)).toHaveLength(it.filter((r) => r.laser_voltage !== 0 && r.laser_wavelength !== null).length);
  });

  it("skips everything on a second run, and resumes an interrupted run file by file", async () => {
    const again = await stageAll({ rawRoot: ROOT, stageRoot: stage, catalogue });
    expect(again).toMatchObject({ staged: 0, skipped: 160, rejected: 1 });

    const resumeStage = path.join(dir, "resume");
    const controller = new AbortController();
    let seen = 0;
    const partial = await stageAll({
      rawRoot: ROOT, stageRoot: resumeStage, catalogue, workers: 1,
      signal: controller.signal,
      onFile: () => {
        if (++seen === 40) controller.abort();
      },
    });
    expect(partial.aborted).toBe(true);
    // Files already in flight (one per worker, and the one being read ahead) still finish.
    expect(partial.staged + partial.rejected).toBeGreaterThanOrEqual(40);
    expect(partial.staged + partial.rejected).toBeLessThanOrEqual(42);
    const rest = await stageAll({ rawRoot: ROOT, stageRoot: resumeStage, catalogue });
    expect(rest.skipped).toBe(partial.staged);
    expect(rest.staged).toBe(160 - partial.staged);
    const resumed = await query(`SELECT run_id FROM read_parquet(${sqlPath(rest.manifestPath)}) ORDER BY run_id`);
    expect(resumed.map((r) => r.run_id)).toEqual(manifest.map((r) => r.run_id).sort());
  });

  it("resumes file by file after the staging process is killed (SIGKILL) half way", async () => {
    const killedStage = path.join(dir, "killed");
    const killed = await stageThenKill(ROOT, killedStage, 80);
    expect(killed.exitCode).toBeNull();
    const { summary: resumed, restagedReported, stagedBefore } = await resumeAfterKill(ROOT, killedStage, catalogue, killed);
    expect(stagedBefore).toBeGreaterThanOrEqual(75);
    expect(restagedReported).toEqual([]);
    expect(resumed.skipped).toBeGreaterThanOrEqual(stagedBefore);
    expect(resumed).toMatchObject({ staged: 160 - resumed.skipped, rejected: 1, manifestRows: 160 });
    const rows = await query(`SELECT run_id FROM read_parquet(${sqlPath(resumed.manifestPath)}) ORDER BY run_id`);
    expect(rows.map((r) => r.run_id)).toEqual(manifest.map((r) => r.run_id).sort());
  });
});
