import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command as Program } from "commander";
import { PermanentError, ValidationError } from "pipewright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerDeriveMetrics } from "../src/cli/derive-metrics-command.js";
import { createChips, responsivity } from "../src/demo/chip-model.js";
import { generateDemoData, type DemoDataSummary } from "../src/demo/generate.js";
import { laserOnDay, laserPower } from "../src/demo/laser-model.js";
import { deriveAllMetrics, ENRICHED_HISTORIES_DIR, METRIC_COLUMNS, METRIC_NAMES, type DeriveMetricsSummary } from "../src/derived/index.js";
import { buildAllHistories } from "../src/histories/build-histories.js";
import { derive_all_metrics_command } from "../src/registry/derive-metrics-command.js";
import { queryRows as query } from "../src/staging/query-parquet.js";
import { stageAll } from "../src/staging/stage-all.js";
import { sqlString as sqlPath } from "../src/staging/sql.js";
import { captureOutput } from "./capture-output.js";

const SEED = 3;
/** ln 9: the 10–90 % time of an exponential step, in time constants. */
const LN9 = Math.log(9);

interface Metric {
  run_id: string;
  proc: string;
  metric_name: string;
  metric_category: string;
  value_float: number | null;
  value_json: string | null;
  unit: string | null;
  flags: string[];
  extracted_at: Date;
}

const readMetrics = async (file: string): Promise<Metric[]> =>
  (await query(`SELECT * FROM read_parquet(${sqlPath(file)}) ORDER BY run_id, metric_name`)) as unknown as Metric[];

describe("deriveAllMetrics on demo data (2 chips × 2 days, seed 3)", () => {
  let dir: string;
  let demo: DemoDataSummary;
  let manifestFile: string;
  let historiesDir: string;
  let out: string;
  let first: DeriveMetricsSummary;
  let metrics: Metric[];
  /** run_id by the demo file's relative path. */
  const runOf = new Map<string, string>();
  const value = (runId: string | undefined, name: string): number | null =>
    metrics.find((m) => m.run_id === runId && m.metric_name === name)?.value_float ?? null;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "optothermal-derived-"));
    const raw = path.join(dir, "01_raw");
    demo = await generateDemoData({ out: raw, chips: 2, days: 2, seed: SEED });
    const staged = await stageAll({ rawRoot: raw, stageRoot: path.join(dir, "02_stage", "raw_measurements") });
    manifestFile = staged.manifestPath;
    historiesDir = path.join(dir, "02_stage", "chip_histories");
    await buildAllHistories({ manifestPath: manifestFile, outputDir: historiesDir });
    out = path.join(dir, "03_derived");
    first = await deriveAllMetrics({ manifestPath: manifestFile, historiesDir, outputDir: out, workers: 2 });
    metrics = await readMetrics(first.metricsPath);
    for (const row of await query(`SELECT run_id, source_path FROM read_parquet(${sqlPath(manifestFile)})`)) {
      runOf.set(path.relative(raw, String(row.source_path)), String(row.run_id));
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes one row per metric with the agreed columns and types, and a JSON-able summary", async () => {
    const columns = await query(`DESCRIBE SELECT * FROM read_parquet(${sqlPath(first.metricsPath)})`);
    expect(columns.map((c) => [c.column_name, c.column_type])).toEqual(METRIC_COLUMNS.map(([name, type]) => [name, type]));
    const { IVg: ivg, It: it } = demo.filesByProcedure;
    expect(first).toMatchObject({
      runsProcessed: ivg + it, runsSkipped: 0, runsFailed: 0, failures: [], warnings: [], aborted: false,
      byProcedure: { IVg: { processed: ivg, skipped: 0, failed: 0 }, It: { processed: it, skipped: 0, failed: 0 } },
      metricsPath: path.join(out, "_metrics", "metrics.parquet"),
      metricsRows: 4 * ivg + 4 * it,
    });
    expect(first.metricsWritten).toBe(first.metricsRows);
    expect(metrics).toHaveLength(first.metricsRows);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
    const units = Object.fromEntries(metrics.map((m) => [m.metric_name, [m.metric_category, m.unit]]));
    expect(units).toEqual({
      cnp_voltage: ["electrical", "V"], cnp_forward: ["electrical", "V"], cnp_backward: ["electrical", "V"], hysteresis: ["electrical", "V"],
      delta_current: ["photoresponse", "A"], rise_time: ["photoresponse", "s"], fall_time: ["photoresponse", "s"], irradiated_power: ["calibration", "W"],
    });
  });

  it("recovers each IVg's Dirac point within 0.05 V, and the chip's hysteresis (down-sweep CNP − up-sweep CNP)", () => {
    const ivgs = demo.files.filter((f) => f.procedure === "IVg");
    expect(ivgs.length).toBeGreaterThan(0);
    for (const file of ivgs) {
      const chip = demo.chips.find((c) => c.number === file.chip);
      const runId = runOf.get(file.path);
      expect(Math.abs((value(runId, "cnp_voltage") ?? NaN) - (file.diracV ?? NaN))).toBeLessThan(0.05);
      expect(Math.abs((value(runId, "hysteresis") ?? NaN) + (chip?.hysteresisV ?? NaN))).toBeLessThan(0.05);
      const json = JSON.parse(metrics.find((m) => m.run_id === runId && m.metric_name === "cnp_voltage")?.value_json ?? "{}") as Record<string, unknown>;
      expect(json).toMatchObject({ forward: value(runId, "cnp_forward"), backward: value(runId, "cnp_backward"), hysteresis: value(runId, "hysteresis") });
    }
  });

  it("measures a positive photoresponse close to the demo model", () => {
    const models = createChips(SEED, 2);
    const rises = new Map<number, number[]>();
    for (const file of demo.files.filter((f) => f.procedure === "It")) {
      const chip = models.find((c) => c.number === file.chip);
      if (chip === undefined) throw new Error(`no chip ${file.chip}`);
      const runId = runOf.get(file.path);
      // 60 s of light at the power the calibration gives; the level is read at its end, ≈ 57 s after the switch.
      const expected = responsivity(chip, file.wavelengthNm ?? NaN) * (value(runId, "irradiated_power") ?? NaN) * (1 - Math.exp(-57 / chip.riseTimeS));
      const delta = value(runId, "delta_current") ?? NaN;
      expect(delta).toBeGreaterThan(0);
      expect(Math.abs(delta / expected - 1)).toBeLessThan(0.1);
      const json = JSON.parse(metrics.find((m) => m.run_id === runId && m.metric_name === "delta_current")?.value_json ?? "{}") as Record<string, number>;
      expect(json.n_cycles).toBe(1);
      expect(json.on_off_ratio).toBeCloseTo(1 + delta / (json.dark_level ?? NaN), 3);
      rises.set(chip.number, [...(rises.get(chip.number) ?? []), value(runId, "rise_time") ?? NaN]);
      // The 60 s dark tail is read before the decay is over, so the measured fall is shorter than the model's.
      expect(value(runId, "fall_time")).toBeGreaterThan(0);
      expect(value(runId, "fall_time")).toBeLessThan(LN9 * chip.fallTimeS * 1.1);
    }
    // Per run the rise time is noisy where the step is small beside the noise (down to half); the chip's median is close.
    for (const [number, times] of rises) {
      const chip = models.find((c) => c.number === number);
      const sorted = [...times].sort((a, b) => a - b);
      const median = ((sorted[(sorted.length - 1) >> 1] ?? NaN) + (sorted[sorted.length >> 1] ?? NaN)) / 2;
      expect(Math.abs(median / (LN9 * (chip?.riseTimeS ?? NaN)) - 1)).toBeLessThan(0.2);
    }
  });

  it("matches every light run with the day's calibration at its wavelength: perfect", async () => {
    const lightRuns = demo.filesByProcedure.It;
    expect(first.calibration).toEqual({ perfect: lightRuns, stale: 0, future: 0, missing: 0 });
    expect(first.calibrationUpdated).toBe(lightRuns);
    const calibrations = demo.files.filter((f) => f.procedure === "LaserCalibration");
    for (const file of demo.files.filter((f) => f.procedure === "It")) {
      const row = metrics.find((m) => m.run_id === runOf.get(file.path) && m.metric_name === "irradiated_power");
      const match = JSON.parse(row?.value_json ?? "{}") as { status: string; calibration_run_id: string; age_hours: number };
      const calibration = calibrations.find((c) => c.day === file.day && c.wavelengthNm === file.wavelengthNm);
      expect(match.status).toBe("perfect");
      expect(match.calibration_run_id).toBe(runOf.get(calibration?.path ?? ""));
      expect(match.age_hours).toBeCloseTo((file.startTime - (calibration?.startTime ?? NaN)) / 3600, 3);
      expect(row?.flags).toEqual([]);
    }
    // The model's power at the run's laser voltage, from the manifest.
    const runs = await query(`SELECT run_id, laser_voltage, laser_wavelength, date_local FROM read_parquet(${sqlPath(manifestFile)}) WHERE proc = 'It'`);
    for (const run of runs) {
      const laser = laserOnDay(SEED, Number(run.laser_wavelength), demo.days.indexOf(String(run.date_local)));
      const power = value(String(run.run_id), "irradiated_power") ?? NaN;
      expect(Math.abs(power / laserPower(laser, Number(run.laser_voltage)) - 1)).toBeLessThan(0.03);
    }
  });

  it("enriches each chip history with one column per metric and the calibration columns", async () => {
    expect(first.enrichedHistories).toEqual([
      path.join(out, ENRICHED_HISTORIES_DIR, "Demo1_history.parquet"),
      path.join(out, ENRICHED_HISTORIES_DIR, "Demo2_history.parquet"),
    ]);
    const file = first.enrichedHistories[0] ?? "";
    const history = await query(`DESCRIBE SELECT * FROM read_parquet(${sqlPath(path.join(historiesDir, "Demo1_history.parquet"))})`);
    const enriched = await query(`DESCRIBE SELECT * FROM read_parquet(${sqlPath(file)})`);
    expect(enriched.map((c) => [c.column_name, c.column_type])).toEqual([
      ...history.map((c) => [c.column_name, c.column_type]),
      ...METRIC_NAMES.map((name) => [name, "DOUBLE"]),
      ["calibration_status", "VARCHAR"], ["calibration_run_id", "VARCHAR"], ["calibration_age_hours", "DOUBLE"], ["irradiated_power_w", "DOUBLE"],
    ]);
    const rows = await query(`SELECT * FROM read_parquet(${sqlPath(file)}) ORDER BY seq`);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    for (const row of rows) {
      const runId = String(row.run_id);
      if (row.proc === "IVg") {
        expect(row).toMatchObject({ cnp_voltage: value(runId, "cnp_voltage"), hysteresis: value(runId, "hysteresis"), delta_current: null, calibration_status: null });
      } else {
        expect(row).toMatchObject({ cnp_voltage: null, delta_current: value(runId, "delta_current"), calibration_status: "perfect", irradiated_power_w: value(runId, "irradiated_power") });
        expect(row.calibration_age_hours).toBeGreaterThan(0);
      }
    }
  });

  it("skips every run on a second call, writes nothing, and keeps every row", async () => {
    const again = await deriveAllMetrics({ manifestPath: manifestFile, historiesDir, outputDir: out, workers: 1 });
    expect(again).toMatchObject({ runsProcessed: 0, runsSkipped: first.runsProcessed, runsFailed: 0, metricsWritten: 0, calibrationUpdated: 0, metricsRows: first.metricsRows });
    expect(again.calibration).toEqual(first.calibration);
    expect(await readMetrics(first.metricsPath)).toEqual(metrics);
  });

  it("keeps the other groups' and procedures' rows when only some runs are measured", async () => {
    const some = await deriveAllMetrics({ manifestPath: manifestFile, historiesDir, outputDir: out, procedures: ["IVg"], group: "Demo", force: true });
    expect(some).toMatchObject({ runsProcessed: demo.filesByProcedure.IVg, runsSkipped: 0, metricsRows: first.metricsRows, calibration: { perfect: 0 } });
    const rows = await readMetrics(first.metricsPath);
    expect(rows.filter((m) => m.proc === "It")).toEqual(metrics.filter((m) => m.proc === "It"));
    const none = await deriveAllMetrics({ manifestPath: manifestFile, historiesDir, outputDir: out, group: "Alisson" });
    expect(none).toMatchObject({ runsProcessed: 0, runsSkipped: 0, metricsWritten: 0, metricsRows: first.metricsRows });
  });

  it("re-evaluates calibration matches when calibrations arrive, without measuring the runs again", async () => {
    // The first day's calibrations staged late: until then its light runs match a later calibration or none.
    const early = path.join(dir, "early-manifest.parquet");
    await query(
      `COPY (SELECT * FROM read_parquet(${sqlPath(manifestFile)}) WHERE NOT (proc = 'LaserCalibration' AND date_local = ${sqlPath(demo.days[0] ?? "")})) ` +
        `TO ${sqlPath(early)} (FORMAT parquet)`,
    );
    const lateOut = path.join(dir, "late-calibrations");
    const before = await deriveAllMetrics({ manifestPath: early, historiesDir, outputDir: lateOut });
    const firstDayRuns = demo.files.filter((f) => f.procedure === "It" && f.day === demo.days[0]).length;
    const laterWavelengths = new Set(demo.files.filter((f) => f.procedure === "LaserCalibration" && f.day !== demo.days[0]).map((f) => f.wavelengthNm));
    const future = demo.files.filter((f) => f.procedure === "It" && f.day === demo.days[0] && laterWavelengths.has(f.wavelengthNm)).length;
    expect(before.calibration).toEqual({ perfect: demo.filesByProcedure.It - firstDayRuns, stale: 0, future, missing: firstDayRuns - future });
    const missing = (await readMetrics(before.metricsPath)).find((m) => m.metric_name === "irradiated_power" && m.value_float === null);
    if (firstDayRuns > future) expect(missing?.flags).toEqual(["calibration_missing", "no_value"]);

    const after = await deriveAllMetrics({ manifestPath: manifestFile, historiesDir, outputDir: lateOut });
    expect(after).toMatchObject({ runsProcessed: 0, runsSkipped: before.runsProcessed, calibrationUpdated: firstDayRuns, metricsWritten: firstDayRuns });
    expect(after.calibration).toEqual(first.calibration);
    // A tighter stale threshold changes the matches too.
    const strict = await deriveAllMetrics({ manifestPath: manifestFile, historiesDir, outputDir: lateOut, staleThresholdHours: 0 });
    expect(strict.calibration).toEqual({ perfect: 0, stale: demo.filesByProcedure.It, future: 0, missing: 0 });
    expect(strict.runsProcessed).toBe(0);
  });

  it("measures every run again with force, replacing its rows", async () => {
    const forced = await deriveAllMetrics({ manifestPath: manifestFile, historiesDir, outputDir: out, force: true });
    expect(forced).toMatchObject({ runsProcessed: first.runsProcessed, runsSkipped: 0, metricsWritten: first.metricsRows, metricsRows: first.metricsRows });
    const rows = await readMetrics(first.metricsPath);
    expect(rows.map((m) => [m.run_id, m.metric_name, m.value_float])).toEqual(metrics.map((m) => [m.run_id, m.metric_name, m.value_float]));
    expect(rows.every((m) => m.extracted_at.getTime() > (metrics[0]?.extracted_at.getTime() ?? Infinity))).toBe(true);
  });

  it("gives a run whose staged Parquet is corrupt an extraction_failed row, and tries it again next time", async () => {
    const ivg = demo.files.find((f) => f.procedure === "IVg");
    const runId = runOf.get(ivg?.path ?? "");
    const [run] = await query(`SELECT parquet_path FROM read_parquet(${sqlPath(manifestFile)}) WHERE run_id = ${sqlPath(runId ?? "")}`);
    await writeFile(String(run?.parquet_path), "not a parquet file");
    const broken = await deriveAllMetrics({ manifestPath: manifestFile, historiesDir, outputDir: out, force: true });
    expect(broken).toMatchObject({ runsProcessed: first.runsProcessed - 1, runsFailed: 1, byProcedure: { IVg: { failed: 1 } } });
    expect(broken.failures).toEqual([{ run_id: runId, proc: "IVg", source_path: expect.stringContaining(ivg?.path ?? "?") as string, reason: expect.stringMatching(/^cannot read .*part-000\.parquet \(.+\): restage .* with stage-all --force$/) as string }]);
    const rows = (await readMetrics(first.metricsPath)).filter((m) => m.run_id === runId);
    expect(rows.map((m) => [m.metric_name, m.metric_category, m.value_float, m.flags])).toEqual([["extraction_failed", "electrical", null, ["extraction_failed", "no_value"]]]);
    expect(JSON.parse(rows[0]?.value_json ?? "{}")).toEqual({ reason: broken.failures[0]?.reason });
    const retried = await deriveAllMetrics({ manifestPath: manifestFile, historiesDir, outputDir: out });
    expect(retried).toMatchObject({ runsProcessed: 0, runsSkipped: first.runsProcessed - 1, runsFailed: 1, metricsRows: first.metricsRows - 3 });
  });

  it("says what to do about a bad option or a missing manifest", async () => {
    await expect(deriveAllMetrics({ manifestPath: manifestFile, procedures: ["IV"] })).rejects.toThrow(ValidationError);
    await expect(deriveAllMetrics({ manifestPath: manifestFile, procedures: ["LaserCalibration"] })).rejects.toThrow(/matched to light runs on their own\): choose among IVg/);
    await expect(deriveAllMetrics({ manifestPath: manifestFile, workers: 0 })).rejects.toThrow(ValidationError);
    await expect(deriveAllMetrics({ manifestPath: path.join(dir, "none.parquet") })).rejects.toThrow(PermanentError);
    await expect(deriveAllMetrics({ manifestPath: path.join(dir, "none.parquet") })).rejects.toThrow(/run stage-all first/);
  });

  it("runs as a registry command and as `derive-all-metrics`, with a summary by procedure", async () => {
    const progress: number[] = [];
    const logs: string[] = [];
    const ctx = { signal: new AbortController().signal, progress: (done: number) => progress.push(done), log: (m: string) => logs.push(m) };
    const result = await derive_all_metrics_command({ manifest_path: manifestFile, histories_dir: historiesDir, output_dir: out, chip_group: "Demo", procedures: ["IVg", "It"] }, ctx as never);
    expect(result).toMatchObject({ runsSkipped: first.runsProcessed - 1, runsFailed: 1 });
    expect(progress.at(-1)).toBe(first.runsProcessed);
    expect(logs.some((l) => l.startsWith("failed: cannot read"))).toBe(true);
    expect(derive_all_metrics_command.checkArgs?.({ stale_threshold: -1, colour: true })).toEqual([expect.stringContaining("`stale_threshold`"), "unknown arg `colour`"]);

    const output = captureOutput();
    const program = new Program().exitOverride();
    registerDeriveMetrics(program, { output, exit: () => undefined });
    const args = ["derive-all-metrics", "--manifest-path", manifestFile, "--histories-dir", historiesDir, "--output-dir", out, "--procedures", "IVg,It", "--stale-threshold", "0.5"];
    await program.parseAsync(args, { from: "user" });
    const text = output.outText();
    expect(text).toMatch(/^Metrics of 0 run\(s\), \d+ up to date, 1 failed/);
    expect(text).toMatch(/\n {2}IVg +0 +\d+ +1\n/);
    expect(text).toMatch(/Calibration of 12 light run\(s\): \d+ perfect, \d+ stale, 0 future, 0 missing/);
    expect(text).toContain(`Metrics: ${first.metricsPath}`);
    expect(text).toContain(path.join(out, ENRICHED_HISTORIES_DIR, "Demo1_history.parquet"));
    await expect(program.parseAsync(["derive-all-metrics", "--stale-threshold", "soon"], { from: "user" })).rejects.toThrow(/--stale-threshold/);
  });
});

// The lab's real files live beside the repository (../shared); they are never copied into it.
const ROOT = fileURLToPath(new URL("../../../../shared/data/optothermal-raw/", import.meta.url));
const present = existsSync(ROOT);
if (!present) console.warn(`derived-metrics: real-data tests skipped, no real raw files at ${ROOT}`);

describe.skipIf(!present)("deriveAllMetrics on the real raw files", () => {
  let dir: string;
  let summary: DeriveMetricsSummary;
  let manifestFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "optothermal-derived-real-"));
    const staged = await stageAll({ rawRoot: ROOT, stageRoot: path.join(dir, "stage"), workers: 2 });
    manifestFile = staged.manifestPath;
    await buildAllHistories({ manifestPath: manifestFile, outputDir: path.join(dir, "histories") });
    summary = await deriveAllMetrics({ manifestPath: manifestFile, historiesDir: path.join(dir, "histories"), outputDir: path.join(dir, "derived"), workers: 2 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("gives every IVg run a CNP or a flag, inside its swept range", async () => {
    const rows = await query(
      `SELECT m.run_id, m.value_float, m.flags, r.parquet_path FROM read_parquet(${sqlPath(summary.metricsPath)}) AS m
       JOIN read_parquet(${sqlPath(manifestFile)}) AS r USING (run_id) WHERE m.metric_name = 'cnp_voltage'`,
    );
    expect(rows).toHaveLength(73);
    expect(summary).toMatchObject({ runsFailed: 0, byProcedure: { IVg: { processed: 73 }, It: { processed: 69 } } });
    for (const row of rows) {
      expect(row.value_float !== null || (row.flags as string[]).length > 0).toBe(true);
      if (row.value_float === null) continue;
      const [range] = await query(`SELECT min(vg_v) AS lo, max(vg_v) AS hi FROM read_parquet(${sqlPath(String(row.parquet_path))})`);
      expect(row.value_float).toBeGreaterThanOrEqual(Number(range?.lo));
      expect(row.value_float).toBeLessThanOrEqual(Number(range?.hi));
    }
    const withCnp = rows.filter((r) => r.value_float !== null).length;
    const flagged = rows.filter((r) => (r.flags as string[]).length > 0).length;
    console.info(`derived-metrics real data: ${withCnp} of ${rows.length} IVg runs with a CNP, ${flagged} flagged; calibration ${JSON.stringify(summary.calibration)}; ${(summary.elapsedMs / 1000).toFixed(2)} s`);
  });
});
