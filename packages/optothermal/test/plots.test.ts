import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Command } from "commander";
import { DuckDBInstance } from "@duckdb/node-api";
import { ValidationError } from "pipewright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerPlots } from "../src/cli/plot-commands.js";
import { generateDemoData } from "../src/demo/generate.js";
import { buildAllHistories, readHistory, type HistoryRow } from "../src/histories/index.js";
import { formatSeqList, parseSeqList, plotCnpTime, plotIts, plotIvg, plotLaserCalibration, plotPhotoresponse } from "../src/plots/index.js";
import { plot_chip_command } from "../src/registry/plot-commands.js";
import { stageAll } from "../src/staging/stage-all.js";
import { sqlString } from "../src/staging/sql.js";
import { captureOutput } from "./capture-output.js";

/** A metrics.parquet with the agreed columns: CNPs for the IVg runs, photocurrent and power for the It runs (none for `noPowerSeq`). */
async function writeMetricsFixture(file: string, history: readonly HistoryRow[], noPowerSeq: number): Promise<void> {
  const rows = history.flatMap((r) => {
    const row = (name: string, value: number, unit: string) =>
      `(${sqlString(r.run_id)}, ${sqlString(r.chip_group ?? "")}, ${r.chip_number}, ${sqlString(r.proc)}, TIMESTAMP ${sqlString(r.start_time_utc?.toISOString() ?? "")}, ` +
      `${sqlString(name)}, 'm', ${value}, NULL, ${sqlString(unit)}, 'fixture', '1', TIMESTAMP '2025-11-01 00:00:00', 1.0, []::VARCHAR[])`;
    if (r.proc === "IVg") return [row("cnp_voltage", 1 + 0.02 * r.seq, "V"), row("cnp_forward", 1.1 + 0.02 * r.seq, "V"), row("cnp_backward", 0.9 + 0.02 * r.seq, "V")];
    const power = (r.laser_voltage ?? 0) * 2.5e-6;
    return [row("delta_current", power * 0.05, "A"), ...(r.seq === noPowerSeq ? [] : [row("irradiated_power", power, "W")])];
  });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run(
    "CREATE TABLE metrics (run_id VARCHAR, chip_group VARCHAR, chip_number BIGINT, proc VARCHAR, start_time_utc TIMESTAMP, metric_name VARCHAR, metric_category VARCHAR, " +
      "value_float DOUBLE, value_json VARCHAR, unit VARCHAR, extraction_method VARCHAR, extraction_version VARCHAR, extracted_at TIMESTAMP, confidence DOUBLE, flags VARCHAR[])",
  );
  await connection.run(`INSERT INTO metrics VALUES ${rows.join(", ")}`);
  await connection.run(`COPY metrics TO ${sqlString(file)} (FORMAT parquet)`);
  connection.closeSync();
  instance.closeSync();
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.subarray(12, 16).toString("ascii")).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg[^>]*width="([\d.]+)"[^>]*height="([\d.]+)"/.exec(svg);
  return { width: Number(match?.[1]), height: Number(match?.[2]) };
}

describe("plots on demo data (2 chips × 2 days, seed 3)", () => {
  let dir: string;
  let historiesDir: string;
  let manifestPath: string;
  let metricsPath: string;
  let history: HistoryRow[];
  const ivgSeqs = () => history.filter((r) => r.proc === "IVg").map((r) => r.seq);
  const itSeqs = () => history.filter((r) => r.proc === "It").map((r) => r.seq);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "optothermal-plots-"));
    await generateDemoData({ out: path.join(dir, "01_raw"), chips: 2, days: 2, seed: 3 });
    const staged = await stageAll({ rawRoot: path.join(dir, "01_raw"), stageRoot: path.join(dir, "02_stage", "raw_measurements") });
    manifestPath = staged.manifestPath;
    historiesDir = path.join(dir, "02_stage", "chip_histories");
    await buildAllHistories({ manifestPath, outputDir: historiesDir });
    history = await readHistory(path.join(historiesDir, "Demo1_history.parquet"));
    metricsPath = path.join(dir, "metrics.parquet");
    const demo2 = await readHistory(path.join(historiesDir, "Demo2_history.parquet"));
    await writeMetricsFixture(metricsPath, [...history, ...demo2.filter((r) => r.proc === "It")], itSeqs()[1] ?? 0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const base = () => ({ chip: "Demo1", historiesDir, metricsPath, plotsDir: path.join(dir, "04_plots") });

  it("plot-ivg: one line per IVg run, axes with units, legend by seq, default path names the seqs", async () => {
    const result = await plotIvg(base());
    expect(result.seqs).toEqual(ivgSeqs());
    expect(result.path).toBe(path.join(dir, "04_plots", "Demo1", `ivg_seq${formatSeqList(ivgSeqs())}.svg`));
    const svg = await readFile(result.path, "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("Gate voltage Vg (V)");
    expect(svg).toContain("Drain current Ids (µA)");
    for (const seq of ivgSeqs()) expect(svg).toMatch(new RegExp(`seq ${seq} · 2025-10-2\\d \\d\\d:\\d\\d · dark`));
  });

  it("plot-its: photocurrent vs time in auto units, laser on shaded, legend with wavelength", async () => {
    const seqs = itSeqs().slice(0, 2);
    const result = await plotIts({ ...base(), seq: formatSeqList(seqs), format: "png" });
    expect(result.seqs).toEqual(seqs);
    expect(result.path.endsWith(`its_seq${formatSeqList(seqs)}.png`)).toBe(true);
    const size = pngSize(await readFile(result.path));
    const svg = await plotIts({ ...base(), seq: seqs, output: path.join(dir, "its.svg") }).then((r) => readFile(r.path, "utf8"));
    expect(size).toEqual({ width: Math.round(svgSize(svg).width * 2), height: Math.round(svgSize(svg).height * 2) });
    expect(svg).toContain("Time t (s)");
    expect(svg).toMatch(/Photocurrent ΔI = I − I₀ \(nA\)/);
    expect(svg).toContain("shaded: laser on");
    expect(svg).toMatch(new RegExp(`seq ${seqs[0]} · .* · \\d+ nm, [\\d.]+ V`));
  });

  it("plot-cnp-time: CNP over time with forward and backward sweeps, from the metrics", async () => {
    const result = await plotCnpTime({ ...base(), seq: "1-10" }).catch((e: unknown) => e);
    expect(result).toBeInstanceOf(ValidationError); // 1-10 holds It runs
    const plotted = await plotCnpTime(base());
    const svg = await readFile(plotted.path, "utf8");
    for (const text of ["CNP voltage (V)", "Run start (lab local time)", "forward sweep", "backward sweep", "mean of both sweeps", "Illumination", "dark"]) expect(svg).toContain(text);
    expect(plotted.seqs).toEqual(ivgSeqs());
  });

  it("plot-photoresponse: falls back to laser voltage when a run has no power, and says so", async () => {
    const all = await plotPhotoresponse(base());
    expect(all.notes).toEqual([`no irradiated power for seq ${itSeqs()[1]}: plotted against laser voltage instead`]);
    expect(await readFile(all.path, "utf8")).toContain("Laser voltage VL (V)");
    const withPower = itSeqs().filter((s) => s !== itSeqs()[1]);
    const svg = await readFile((await plotPhotoresponse({ ...base(), seq: withPower })).path, "utf8");
    for (const text of ["Irradiated power P (µW)", "Photocurrent ΔI (nA)", "Wavelength", " nm"]) expect(svg).toContain(text);
  });

  it("plot-laser-calibration: every calibration, power vs voltage by wavelength and date", async () => {
    const result = await plotLaserCalibration({ manifestPath, plotsDir: path.join(dir, "04_plots"), format: "png" });
    expect(result.path).toBe(path.join(dir, "04_plots", "laser", "laser_calibration.png"));
    expect(pngSize(await readFile(result.path)).width).toBeGreaterThan(1000);
    const svg = await readFile((await plotLaserCalibration({ manifestPath, output: path.join(dir, "cal.svg"), dates: ["2025-10-20"] })).path, "utf8");
    for (const text of ["Laser voltage VL (V)", "Optical power P (µW)", "Wavelength", "2025-10-20"]) expect(svg).toContain(text);
    expect(svg).not.toContain("2025-10-21");
  });

  it("--seq: ranges, a seq of another kind and a seq not in the history are refused clearly", async () => {
    expect(parseSeqList("3,5,7-9")).toEqual([3, 5, 7, 8, 9]);
    expect(formatSeqList([1, 2, 3, 5, 7, 8])).toBe("1-3,5,7-8");
    expect(() => parseSeqList("3,x")).toThrow(/`x` is not a seq or a range/);
    await expect(plotIvg({ ...base(), seq: String(itSeqs()[0]) })).rejects.toThrow(/is an It run, not IVg: its IVg runs are seq /);
    await expect(plotIvg({ ...base(), seq: "99" })).rejects.toThrow(/seq 99 is not in Demo1's history/);
    const capped = await plotIvg({ ...base(), maxRuns: 2 });
    expect(capped.seqs).toEqual(ivgSeqs().slice(-2));
    expect(capped.notes[0]).toMatch(/^showing the latest 2 of 4 IVg runs .*pick others with --seq$/);
  });

  it("unknown chips and a missing metrics file are the user's mistakes, with what to do", async () => {
    await expect(plotIvg({ ...base(), chip: "Demo7" })).rejects.toThrow(/no history for chip Demo7 .*known chips: Demo1, Demo2.*build-all-histories/);
    await expect(plotIvg({ ...base(), chip: "7" })).rejects.toThrow(ValidationError);
    expect((await plotIvg({ ...base(), chip: "2", seq: "1" })).chip).toBe("Demo2");
    await expect(plotCnpTime({ ...base(), metricsPath: path.join(dir, "nope.parquet") })).rejects.toThrow(/no metrics file at .*: run derive-all-metrics first/);
  });

  it("the CLI commands print where they wrote; the registry command returns the paths", async () => {
    const output = captureOutput();
    const program = new Command().exitOverride();
    registerPlots(program, { output, exit: () => undefined });
    const target = path.join(dir, "cli", "ivg.png");
    await program.parseAsync(["plot-ivg", "1", "--group", "Demo", "--seq", "1", "--output", target, "--histories-dir", historiesDir], { from: "user" });
    expect(output.outText()).toContain(`wrote ${target}`);
    pngSize(await readFile(target));
    const logs: string[] = [];
    const ctx = { log: (line: string) => logs.push(line) } as unknown as Parameters<typeof plot_chip_command>[1];
    const result = (await plot_chip_command(
      { chip_group: "Demo", chip_number: 2, plots: ["ivg", "photoresponse"], format: "svg", output_dir: path.join(dir, "reg"), histories_dir: historiesDir, metrics_path: metricsPath },
      ctx,
    )) as { paths: string[] };
    expect(result.paths.map((p) => path.relative(dir, p))).toEqual([expect.stringMatching(/^reg\/Demo2\/ivg_seq.*\.svg$/), expect.stringMatching(/^reg\/Demo2\/photoresponse_seq.*\.svg$/)]);
  });
});
