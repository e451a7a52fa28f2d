import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { interpretRawFile, loadCatalogue, parseDataRows, parseRawHeader, type Catalogue, type RawInterpretation } from "../src/index.js";

// The lab's real files live beside the repository (../shared); they are never copied into it.
const ROOT = fileURLToPath(new URL("../../../../shared/data/optothermal-raw/", import.meta.url));
const present = existsSync(ROOT);
if (!present) console.warn(`raw-real-data: skipped, no real raw files at ${ROOT}`);

interface RealFile {
  path: string;
  bytes: Buffer;
}

function realFiles(): RealFile[] {
  return readdirSync(ROOT).sort().flatMap((day) =>
    readdirSync(join(ROOT, day)).sort().map((name) => {
      const path = join(ROOT, day, name);
      return { path, bytes: readFileSync(path) };
    }));
}

describe.skipIf(!present)("the real raw files", () => {
  let catalogue: Catalogue;
  let files: RealFile[];
  let results: RawInterpretation[];
  beforeAll(async () => {
    catalogue = await loadCatalogue();
    files = realFiles();
    results = files.map((f) => interpretRawFile(parseRawHeader(f.bytes, f.path), catalogue));
  });
  const byName = (name: string): RawInterpretation => {
    const found = results.find((r) => r.path.endsWith(`/${name}`));
    if (found === undefined) throw new Error(`no real file ${name}`);
    return found;
  };

  it("has every header parse, named as its procedure", () => {
    expect(files).toHaveLength(161);
    for (const result of results) {
      expect(result.problems.filter((p) => ["no-procedure", "bad-header-line", "no-data-section", "no-table-header"].includes(p.kind))).toEqual([]);
      expect(result.path).toMatch(new RegExp(`/${result.procedure}\\d{4}-\\d{2}-\\d{2}_\\d+\\.csv$`));
    }
  });

  it("counts the runs per procedure, and the files with a problem", () => {
    const summary: Record<string, { runs: number; withProblems: number }> = {};
    for (const r of results) {
      const entry = (summary[r.procedure ?? "?"] ??= { runs: 0, withProblems: 0 });
      entry.runs++;
      if (r.problems.length > 0) entry.withProblems++;
    }
    expect(summary).toEqual({
      IV: { runs: 2, withProblems: 0 },
      IVg: { runs: 73, withProblems: 0 },
      It: { runs: 70, withProblems: 1 },
      LaserCalibration: { runs: 16, withProblems: 0 },
    });
  });

  it("gives every problem a reason naming file and line: one aborted It run without metadata", () => {
    const problems = results.flatMap((r) => r.problems);
    expect(problems.map((p) => p.message.slice(ROOT.length))).toEqual([
      "Alisson_25_sept/It2025-09-25_10.csv:19: no `Start time` under `#Metadata:` (required for It)",
    ]);
  });

  it("is described completely by the catalogue: no unknown field or column", () => {
    const unknown = results.flatMap((r) => [...r.unknown.parameters, ...r.unknown.metadata, ...r.unknown.columns]);
    expect(new Set(unknown)).toEqual(new Set());
  });

  it("types IVg2025-10-14_1 as written in the file", () => {
    const result = byName("IVg2025-10-14_1.csv");
    expect(result.chip).toEqual({ group: "Alisson", number: 80 });
    expect(result.parameters).toMatchObject({ vds: 0.1, vg_start: -5, vg_end: 5, vg_step: 0.05, laser_wavelength: 455, laser_voltage: 0, burn_in_time: 60, irange: 0.001, information: "monitoring", procedure_version: "2.1.0" });
    expect((result.startTime?.getTime() ?? 0) / 1000).toBeCloseTo(1760460048.97, 2);
  });

  it("types It2025-09-04_1 as written in the file", () => {
    const result = byName("It2025-09-04_1.csv");
    expect(result.chip).toEqual({ group: "Alisson", number: 79 });
    expect(result.parameters).toMatchObject({ vds: 0.1, vg: -1, laser_voltage: 0.2, laser_wavelength: 455, laser_period: 120, initial_t: 0, target_t: 25, sample: "D" });
    expect((result.startTime?.getTime() ?? 0) / 1000).toBeCloseTo(1757019355.73, 2);
  });

  it("types LaserCalibration2025-09-25_1 as written in the file, without a chip", () => {
    const result = byName("LaserCalibration2025-09-25_1.csv");
    expect(result.chip).toBeNull();
    expect(result.parameters).toMatchObject({ laser_wavelength: 850, optical_fiber: "F1 (M92L02)", n_avg: 2, step_time: 0.2, laser_voltage_start: 0, laser_voltage_end: 5, laser_voltage_step: 0.1 });
    expect(result.metadata).toMatchObject({ sensor_model: "S120VC" });
    expect((result.startTime?.getTime() ?? 0) / 1000).toBeCloseTo(1758813525.89, 2);
  });

  it("reads every table: rows per procedure, all cells numbers or nan", () => {
    const rows: Record<string, number> = {};
    for (const file of files) {
      const header = parseRawHeader(file.bytes, file.path);
      const { rows: read, problem } = parseDataRows(file.bytes, header, catalogue);
      expect(problem).toBeNull();
      rows[header.procedure ?? "?"] = (rows[header.procedure ?? "?"] ?? 0) + read.length;
    }
    expect(rows).toEqual({ IV: 88, IVg: 43971, It: 145157, LaserCalibration: 816 });
  });

  it("reads the first rows of IVg2025-10-14_1 with the temperature columns empty", () => {
    const file = files.find((f) => f.path.endsWith("/IVg2025-10-14_1.csv"));
    if (file === undefined) throw new Error("missing IVg2025-10-14_1.csv");
    const { rows } = parseDataRows(file.bytes, parseRawHeader(file.bytes, file.path), catalogue);
    expect(rows[0]).toEqual({ vg_v: 0, i_a: 4.042624e-5, plate_t_degc: null, ambient_t_degc: null, clock_ms: null });
    expect(rows[1]).toMatchObject({ vg_v: -0.05, i_a: 3.974004e-5 });
  });
});
