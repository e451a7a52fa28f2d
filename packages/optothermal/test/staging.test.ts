import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoData, loadCatalogue, readRejects, stageAll, StagingRejectsError, type Catalogue, type DemoDataSummary, type StageAllSummary } from "../src/index.js";
import { qualityFlags } from "../src/staging/quality-flags.js";
import { runId } from "../src/staging/run-id.js";
import { queryRows as query } from "../src/staging/query-parquet.js";
import { sqlString as sqlPath } from "../src/staging/sql.js";
import { resumeAfterKill, stageThenKill } from "./stage-killed.js";

describe("stageAll on demo data (2 chips × 2 days, seed 3)", () => {
  let dir: string;
  let raw: string;
  let stage: string;
  let catalogue: Catalogue;
  let demo: DemoDataSummary;
  let first: StageAllSummary;
  let manifestFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "optothermal-staging-"));
    raw = path.join(dir, "01_raw");
    stage = path.join(dir, "02_stage", "raw_measurements");
    catalogue = await loadCatalogue();
    demo = await generateDemoData({ out: raw, chips: 2, days: 2, seed: 3 });
    first = await stageAll({ rawRoot: raw, stageRoot: stage, catalogue });
    manifestFile = path.join(stage, "_manifest", "manifest.parquet");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("stages every good file and rejects every broken one with a reason", async () => {
    expect(first.staged).toBe(demo.files.length);
    expect(first.skipped).toBe(0);
    expect(first.rejected).toBe(demo.broken.length);
    expect(first.rejects.map((r) => r.path).sort()).toEqual(demo.broken.map((b) => path.join(raw, b.path)).sort());
    for (const reject of first.rejects) expect(reject.reason).toMatch(/\S/);
    for (const [proc, n] of Object.entries(demo.filesByProcedure)) expect(first.byProcedure[proc]?.staged ?? 0).toBe(n);
    const recorded = await readRejects(path.join(stage, "_rejects", "rejects.jsonl"));
    expect([...recorded.keys()].sort()).toEqual(first.rejects.map((r) => r.path).sort());
  });

  it("names the reason of each kind of broken file", () => {
    const reasonOf = (kind: string): string => {
      const broken = demo.broken.find((b) => b.kind === kind);
      return first.rejects.find((r) => broken !== undefined && r.path === path.join(raw, broken.path))?.reason ?? "";
    };
    expect(reasonOf("missing-data-marker")).toMatch(/#Data:/);
    expect(reasonOf("unknown-procedure")).toMatch(/not in the catalogue/);
    expect(reasonOf("aborted-no-metadata")).toMatch(/Start time/);
    // DuckDB finds these; the reason is said as the raw reader says it, with the line (and column).
    expect(reasonOf("truncated-row")).toMatch(/_broken-truncated-row\.csv:\d+: expected 6 cells, found 2$/);
    expect(reasonOf("unparsable-number")).toMatch(/_broken-unparsable-number\.csv:222:2: column `I \(A\)`: `[\d.]+#\d+e-05` is not a number$/);
  });

  it("writes one Parquet per run at proc=/date=/run_id=, readable with the right rows and columns", async () => {
    const rows = await query(`SELECT * FROM read_parquet(${sqlPath(manifestFile)})`);
    expect(rows).toHaveLength(first.staged);
    for (const row of rows) {
      const expected = path.join(stage, `proc=${String(row.proc)}`, `date=${String(row.date_local)}`, `run_id=${String(row.run_id)}`, "part-000.parquet");
      expect(row.parquet_path).toBe(expected);
      expect(existsSync(expected)).toBe(true);
    }
    const sample = ["IVg", "It", "LaserCalibration"].map((proc) => rows.find((r) => r.proc === proc));
    for (const row of sample) {
      expect(row).toBeDefined();
      const file = sqlPath(String(row?.parquet_path));
      const [counted] = await query(`SELECT count(*) AS n, min(run_id) AS id, min(proc) AS proc, min(start_dt) AS start FROM read_parquet(${file})`);
      expect(counted?.n).toBe(row?.rows);
      expect(counted?.id).toBe(row?.run_id);
      expect(counted?.proc).toBe(row?.proc);
      expect((counted?.start as Date).getTime()).toBe((row?.start_time_utc as Date).getTime());
      const columns = (await query(`DESCRIBE SELECT * FROM read_parquet(${file})`)).map((c) => `${String(c.column_name)}:${String(c.column_type)}`);
      const spec = catalogue.procedures[String(row?.proc)];
      const required = Object.values(spec?.columns ?? {}).filter((c) => c.required).map((c) => `${c.key}:DOUBLE`);
      expect(columns).toEqual(expect.arrayContaining([...required, "run_id:VARCHAR", "proc:VARCHAR", "start_dt:TIMESTAMP"]));
    }
    const ivg = rows.filter((r) => r.proc === "IVg");
    expect(ivg.every((r) => r.open_circuit === false && r.saturated === false)).toBe(true);
    const it = rows.filter((r) => r.proc === "It");
    expect(it.every((r) => typeof r.duration_s === "number" && r.duration_s > 0)).toBe(true);
    expect(rows.every((r) => r.date_source === "metadata")).toBe(true);
    for (const r of rows.filter((r) => r.proc !== "LaserCalibration")) {
      expect(r.has_light).toBe(r.laser_wavelength !== null && r.laser_voltage !== null && r.laser_voltage !== 0);
    }
    // Demo day folders are lab-local dates: the staged date agrees.
    for (const file of demo.files) {
      const row = rows.find((r) => r.source_path === path.join(raw, file.path));
      expect(row?.date_local).toBe(file.day);
      expect(row?.chip_number ?? null).toBe(file.chip ?? null);
    }
  });

  it("gives unique run ids, stable across runs; a second run skips everything", async () => {
    const before = await query(`SELECT run_id, source_path FROM read_parquet(${sqlPath(manifestFile)}) ORDER BY source_path`);
    expect(new Set(before.map((r) => r.run_id)).size).toBe(before.length);
    const second = await stageAll({ rawRoot: raw, stageRoot: stage, catalogue });
    expect(second).toMatchObject({ staged: 0, skipped: demo.files.length, rejected: demo.broken.length });
    const forced = await stageAll({ rawRoot: raw, stageRoot: stage, catalogue, force: true, workers: 3 });
    expect(forced).toMatchObject({ staged: demo.files.length, skipped: 0, rejected: demo.broken.length, manifestRows: demo.files.length });
    const after = await query(`SELECT run_id, source_path FROM read_parquet(${sqlPath(manifestFile)}) ORDER BY source_path`);
    expect(after).toEqual(before);
  });

  it("restages a file whose mtime changed, and keeps the run id of a copy elsewhere", async () => {
    const rows = await query(`SELECT run_id, source_path FROM read_parquet(${sqlPath(manifestFile)}) WHERE proc = 'IVg' ORDER BY source_path LIMIT 1`);
    const original = String(rows[0]?.source_path);
    const later = new Date(Date.now() + 60_000);
    await utimes(original, later, later);
    const touched = await stageAll({ rawRoot: raw, stageRoot: stage, catalogue });
    expect(touched).toMatchObject({ staged: 1, skipped: demo.files.length - 1 });

    const elsewhere = path.join(dir, "elsewhere", "nested");
    await mkdir(elsewhere, { recursive: true });
    await copyFile(original, path.join(elsewhere, "renamed.csv"));
    const copy = await stageAll({ rawRoot: path.join(dir, "elsewhere"), stageRoot: path.join(dir, "other-stage"), catalogue });
    expect(copy.staged).toBe(1);
    const [copied] = await query(`SELECT run_id FROM read_parquet(${sqlPath(copy.manifestPath)})`);
    expect(copied?.run_id).toBe(rows[0]?.run_id);
    // Into the same stage, the original still there: the same run, an exact copy, left alone; the manifest gains no row.
    const merged = await stageAll({ rawRoot: path.join(dir, "elsewhere"), stageRoot: stage, catalogue });
    expect(merged).toMatchObject({ staged: 0, skipped: 1, manifestRows: demo.files.length });
  });

  it("resumes file by file after the staging process is killed (SIGKILL) half way", async () => {
    const killedStage = path.join(dir, "killed-stage");
    const half = Math.floor((demo.files.length + demo.broken.length) / 2);
    const killed = await stageThenKill(raw, killedStage, half);
    expect(killed.exitCode).toBeNull();
    const { summary: resumed, restagedReported, stagedBefore } = await resumeAfterKill(raw, killedStage, catalogue, killed);
    expect(stagedBefore).toBeGreaterThan(0);
    expect(restagedReported).toEqual([]);
    expect(resumed.skipped).toBeGreaterThanOrEqual(stagedBefore);
    expect(resumed).toMatchObject({ staged: demo.files.length - resumed.skipped, rejected: demo.broken.length, manifestRows: demo.files.length });
    const ids = `SELECT run_id FROM read_parquet(${sqlPath(resumed.manifestPath)}) ORDER BY run_id`;
    expect(await query(ids)).toEqual(await query(ids.replace(sqlPath(resumed.manifestPath), sqlPath(manifestFile))));
  });

  it("in strict mode writes the rejects, then throws", async () => {
    const strictStage = path.join(dir, "strict-stage");
    await expect(stageAll({ rawRoot: raw, stageRoot: strictStage, catalogue, strict: true })).rejects.toBeInstanceOf(StagingRejectsError);
    const text = await readFile(path.join(strictStage, "_rejects", "rejects.jsonl"), "utf8");
    expect(text.trim().split("\n")).toHaveLength(demo.broken.length);
  });
});

describe("staging units", () => {
  it("runId depends on procedure, chip, start time and data, not on the path", () => {
    const data = Buffer.from("1,2\r\n3,4\r\n");
    const start = new Date(1_760_000_000_000);
    const id = runId("IVg", { group: "A", number: 1 }, start, data);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(runId("IVg", { group: "A", number: 1 }, start, Buffer.from(data))).toBe(id);
    expect(runId("It", { group: "A", number: 1 }, start, data)).not.toBe(id);
    expect(runId("IVg", { group: "A", number: 2 }, start, data)).not.toBe(id);
    expect(runId("IVg", { group: "A", number: 1 }, new Date(start.getTime() + 1000), data)).not.toBe(id);
    expect(runId("IVg", { group: "A", number: 1 }, start, Buffer.from("1,2\r\n3,5\r\n"))).not.toBe(id);
  });

  it("qualityFlags: open circuit, flat, saturated", () => {
    expect(qualityFlags({ peak: 5e-13, low: 1e-13, n: 10, nearPeak: 1 })).toEqual({ open_circuit: true, flat: false, saturated: false });
    expect(qualityFlags({ peak: 1e-6, low: 0.9e-6, n: 10, nearPeak: 2 })).toEqual({ open_circuit: false, flat: true, saturated: false });
    expect(qualityFlags({ peak: 1e-3, low: 1e-6, n: 100, nearPeak: 95 })).toEqual({ open_circuit: false, flat: false, saturated: true });
    expect(qualityFlags({ peak: 1e-3, low: 1e-6, n: 100, nearPeak: 94 }).saturated).toBe(false);
  });
});
