import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue } from "../src/catalogue/load-catalogue.js";
import { generateDemoData, type DemoDataSummary } from "../src/demo/generate.js";
import {
  buildAllHistories,
  formatNumber,
  HistoriesError,
  HISTORY_COLUMNS,
  historyFileName,
  historySummary,
  readHistory,
  type BuildHistoriesSummary,
  type HistoryRow,
  type SummaryFields,
} from "../src/histories/index.js";
import { queryRows as query } from "../src/staging/query-parquet.js";
import { stageAll } from "../src/staging/stage-all.js";
import { sqlString as sqlPath } from "../src/staging/sql.js";

/** Runs per chip (`<group><number>`) in the manifest; calibrations under `none`. */
async function manifestCounts(manifestFile: string): Promise<Record<string, number>> {
  const rows = await query(
    `SELECT coalesce(chip_group || chip_number::VARCHAR, 'none') AS chip, count(*) AS n FROM read_parquet(${sqlPath(manifestFile)}) GROUP BY ALL`,
  );
  return Object.fromEntries(rows.map((r) => [String(r.chip), Number(r.n)]));
}

describe("buildAllHistories on demo data (2 chips × 2 days, seed 3)", () => {
  let dir: string;
  let raw: string;
  let manifestFile: string;
  let out: string;
  let demo: DemoDataSummary;
  let built: BuildHistoriesSummary;
  let counts: Record<string, number>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "optothermal-histories-"));
    raw = path.join(dir, "01_raw");
    const stage = path.join(dir, "02_stage", "raw_measurements");
    out = path.join(dir, "02_stage", "chip_histories");
    demo = await generateDemoData({ out: raw, chips: 2, days: 2, seed: 3 });
    const staged = await stageAll({ rawRoot: raw, stageRoot: stage, catalogue: await loadCatalogue() });
    manifestFile = staged.manifestPath;
    built = await buildAllHistories({ manifestPath: manifestFile, outputDir: out });
    counts = await manifestCounts(manifestFile);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes one file per chip with the manifest's run counts, and says so", async () => {
    expect((await readdir(out)).filter((name) => !name.startsWith(".")).sort()).toEqual(["Demo1_history.parquet", "Demo2_history.parquet"]);
    expect(built.chips.map((c) => [c.chip, c.group, c.number, c.runs, c.path])).toEqual([
      ["Demo1", "Demo", 1, counts.Demo1, path.join(out, "Demo1_history.parquet")],
      ["Demo2", "Demo", 2, counts.Demo2, path.join(out, "Demo2_history.parquet")],
    ]);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(built).toMatchObject({ belowMinimum: [], manifestRuns: total, calibrationRuns: counts.none, outputDir: out });
    expect(counts.none).toBe(demo.filesByProcedure.LaserCalibration);
    expect(JSON.parse(JSON.stringify(built))).toEqual(built);
  });

  it("has the agreed columns and types, in order", async () => {
    const columns = await query(`DESCRIBE SELECT * FROM read_parquet(${sqlPath(path.join(out, "Demo1_history.parquet"))})`);
    expect(columns.map((c) => [c.column_name, c.column_type])).toEqual(HISTORY_COLUMNS.map(([name, type]) => [name, type]));
  });

  it("numbers each chip's runs 1..N in start-time order, without calibrations", async () => {
    for (const chip of built.chips) {
      const rows = await readHistory(chip.path);
      expect(rows).toHaveLength(chip.runs);
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      const starts = rows.map((r) => r.start_time_utc?.getTime() ?? Number.NaN);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      expect(chip.first).toBe(rows[0]?.start_time_utc?.toISOString());
      expect(chip.last).toBe(rows.at(-1)?.start_time_utc?.toISOString());
      expect(rows.every((r) => r.chip_group === chip.group && r.chip_number === chip.number)).toBe(true);
      expect(rows.some((r) => r.proc === "LaserCalibration")).toBe(false);
    }
  });

  it("gives UTC and local date and time; the local date is the demo's day folder", async () => {
    const rows = [...(await readHistory(path.join(out, "Demo1_history.parquet"))), ...(await readHistory(path.join(out, "Demo2_history.parquet")))];
    for (const file of demo.files.filter((f) => f.chip !== undefined)) {
      const row = rows.find((r) => r.source_path === path.join(raw, file.path));
      expect(row?.date_local).toBe(file.day);
      expect(row?.source_file).toBe(path.basename(file.path));
      const start = new Date(file.startTime * 1000); // the demo counts seconds
      const iso = start.toISOString();
      expect(`${row?.date_utc}T${row?.time_utc}`).toBe(iso.slice(0, 19));
      const local = new Intl.DateTimeFormat("en-GB", { timeZone: "America/Santiago", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
      expect(row?.time_local).toBe(local.format(start));
      expect(existsSync(String(row?.parquet_path))).toBe(true);
    }
  });

  it("summarises an IVg and an It run in one line", async () => {
    const rows = await readHistory(path.join(out, "Demo1_history.parquet"));
    const bySource = (name: string): HistoryRow | undefined => rows.find((r) => r.source_file === name);
    expect(bySource("IVg2025-10-20_1.csv")?.summary).toBe("IVg dark · Demo 1 · VDS 0.1 V · Vg −5…5 V step 0.05 V");
    expect(bySource("It2025-10-20_1.csv")?.summary).toBe("It light 625 nm 3.57 V · Demo 1 · VDS 0.1 V · Vg 0.2 V · period 120 s · 180 s");
    expect(bySource("It2025-10-20_1.csv")).toMatchObject({ proc: "It", has_light: true, laser_wavelength: 625, laser_voltage: 3.57, warnings: [] });
  });

  it("keeps only the chips of a group, and lists those below the minimum without touching their files", async () => {
    const none = await buildAllHistories({ manifestPath: manifestFile, outputDir: path.join(dir, "other"), group: "Alisson" });
    expect(none.chips).toEqual([]);
    expect(existsSync(path.join(dir, "other"))).toBe(false);
    const demoOnly = await buildAllHistories({ manifestPath: manifestFile, outputDir: path.join(dir, "demo-only"), group: "Demo" });
    expect(demoOnly.chips.map((c) => c.chip)).toEqual(["Demo1", "Demo2"]);

    const before = await stat(path.join(out, "Demo1_history.parquet"));
    const strict = await buildAllHistories({ manifestPath: manifestFile, outputDir: out, minExperiments: (counts.Demo1 ?? 0) + 1 });
    expect(strict.chips).toEqual([]);
    expect(strict.belowMinimum).toEqual([
      { chip: "Demo1", runs: counts.Demo1 },
      { chip: "Demo2", runs: counts.Demo2 },
    ]);
    expect((await stat(path.join(out, "Demo1_history.parquet"))).mtimeMs).toBe(before.mtimeMs);
    const exact = await buildAllHistories({ manifestPath: manifestFile, outputDir: out, minExperiments: counts.Demo1 });
    expect(exact.chips.map((c) => c.chip)).toContain("Demo1");
  });

  it("leaves the files alone while the manifest is unchanged; force replaces them and leaves no temporary file", async () => {
    const mtime = async () => (await stat(path.join(out, "Demo1_history.parquet"))).mtimeMs;
    await buildAllHistories({ manifestPath: manifestFile, outputDir: out }); // the tests above built with other options
    const before = await mtime();
    const again = await buildAllHistories({ manifestPath: manifestFile, outputDir: out });
    expect(again).toMatchObject({ upToDate: true, chips: built.chips });
    expect(await mtime()).toBe(before);
    const forced = await buildAllHistories({ manifestPath: manifestFile, outputDir: out, force: true });
    expect(forced).toMatchObject({ upToDate: false, chips: built.chips });
    expect(await mtime()).toBeGreaterThan(before);
    expect((await readdir(out)).filter((name) => !name.startsWith(".")).sort()).toEqual(["Demo1_history.parquet", "Demo2_history.parquet"]);
  });

  it("says to run stage-all when the manifest is missing, and rejects a bad option", async () => {
    const missing = path.join(dir, "nowhere", "manifest.parquet");
    const error = await buildAllHistories({ manifestPath: missing, outputDir: out }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoriesError);
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toMatch(/stage-all/);
    await expect(buildAllHistories({ manifestPath: manifestFile, outputDir: out, tz: "Mars/Olympus" })).rejects.toThrow(/unknown time zone "Mars\/Olympus"/);
    await expect(buildAllHistories({ manifestPath: manifestFile, outputDir: out, minExperiments: 0 })).rejects.toBeInstanceOf(HistoriesError);
    await expect(readHistory(path.join(dir, "nowhere.parquet"))).rejects.toThrow(/build-all-histories/);
  });
});

describe("history units", () => {
  const base: SummaryFields = {
    proc: "IVg", chip_group: "Alisson", chip_number: 79, has_light: false, laser_wavelength: 455, laser_voltage: 0, laser_period: null, duration_s: null,
    vds: 0.1, vg: null, vg_start: -5, vg_end: 5, vg_step: 0.1, vsd_start: null, vsd_end: null, vsd_step: null,
  };

  it("historySummary: IVg, It, IV", () => {
    expect(historySummary(base)).toBe("IVg dark · Alisson 79 · VDS 0.1 V · Vg −5…5 V step 0.1 V");
    const it = { ...base, proc: "It", has_light: true, laser_voltage: 3.2, laser_period: 120, duration_s: 599.96, vg: -0.4, vg_start: null, vg_end: null, vg_step: null };
    expect(historySummary(it)).toBe("It light 455 nm 3.2 V · Alisson 79 · VDS 0.1 V · Vg −0.4 V · period 120 s · 600 s");
    expect(historySummary({ ...it, has_light: false, laser_voltage: 0 })).toBe("It dark · Alisson 79 · VDS 0.1 V · Vg −0.4 V · 600 s");
    const iv = { ...base, proc: "IV", vds: null, vg: 0, vg_start: null, vg_end: null, vg_step: null, vsd_start: -0.1, vsd_end: 0.1, vsd_step: 0.01 };
    expect(historySummary(iv)).toBe("IV dark · Alisson 79 · VDS −0.1…0.1 V step 0.01 V · Vg 0 V");
  });

  it("formatNumber drops float noise and writes a true minus", () => {
    expect(formatNumber(0.1 + 0.2)).toBe("0.3");
    expect(formatNumber(-5)).toBe("−5");
    expect(formatNumber(-0)).toBe("0");
    expect(formatNumber(2.5)).toBe("2.5");
  });

  it("historyFileName: group and number, unsafe characters replaced", () => {
    expect(historyFileName("Alisson", 79)).toBe("Alisson79_history.parquet");
    expect(historyFileName("a/b c", 1)).toBe("a_b_c1_history.parquet");
  });
});

// The lab's real files live beside the repository (../shared); they are never copied into it.
const ROOT = fileURLToPath(new URL("../../../../shared/data/optothermal-raw/", import.meta.url));
const present = existsSync(ROOT);
if (!present) console.warn(`histories real data: skipped, no real raw files at ${ROOT}`);

describe.skipIf(!present)("buildAllHistories on the real raw files", () => {
  let dir: string;
  let manifestFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "optothermal-histories-real-"));
    const staged = await stageAll({ rawRoot: ROOT, stageRoot: path.join(dir, "stage"), catalogue: await loadCatalogue(), workers: 2 });
    manifestFile = staged.manifestPath;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a history per chip with the manifest's counts", async () => {
    const out = path.join(dir, "histories");
    const built = await buildAllHistories({ manifestPath: manifestFile, outputDir: out });
    const counts = await manifestCounts(manifestFile);
    const { none, ...chips } = counts;
    expect(none).toBe(16);
    expect(Object.fromEntries(built.chips.map((c) => [c.chip, c.runs]))).toEqual(chips);
    expect(built.chips.map((c) => c.chip)).toEqual(["Alisson67", "Alisson71", "Alisson79", "Alisson80", "Alisson81"]);
    expect(built).toMatchObject({ manifestRuns: 160, calibrationRuns: 16, belowMinimum: [] });
    for (const chip of built.chips) {
      const rows = await readHistory(chip.path);
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      expect(rows.every((r) => r.summary.startsWith(`${r.proc} `) && r.summary.includes(`Alisson ${chip.number}`))).toBe(true);
    }
    const first = (await readHistory(path.join(out, "Alisson79_history.parquet")))[0];
    expect(first).toMatchObject({ seq: 1, proc: "IVg", source_file: "IVg2025-09-04_1.csv", date_local: "2025-09-04", date_utc: "2025-09-04", time_utc: "20:16:23" });
    expect(first?.summary).toBe("IVg dark · Alisson 79 · VDS 0.1 V · Vg −5…5 V step 0.2 V");

    const twenty = await buildAllHistories({ manifestPath: manifestFile, outputDir: path.join(dir, "twenty"), group: "Alisson", minExperiments: 20 });
    expect(twenty.chips.map((c) => c.chip)).toEqual(["Alisson67", "Alisson71", "Alisson81"]);
    expect(twenty.belowMinimum).toEqual([
      { chip: "Alisson79", runs: chips.Alisson79 },
      { chip: "Alisson80", runs: chips.Alisson80 },
    ]);
  });
});
