import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue, parseDataRows, parseRawHeader } from "../src/index.js";
import { extractCnp, type CnpResult } from "../src/metrics/index.js";

// The lab's real files live beside the repository (../shared); they are never copied into it.
const ROOT = fileURLToPath(new URL("../../../../shared/data/optothermal-raw/", import.meta.url));
const present = existsSync(ROOT);
if (!present) console.warn(`metrics-real-data: skipped, no real raw files at ${ROOT}`);

interface IvgCase {
  name: string;
  vg: number[];
  result: CnpResult;
}

describe.skipIf(!present)("CNP of the real IVg files", () => {
  let cases: IvgCase[];
  beforeAll(async () => {
    const catalogue = await loadCatalogue();
    const paths = readdirSync(ROOT).sort().flatMap((day) =>
      readdirSync(join(ROOT, day)).filter((name) => name.startsWith("IVg")).sort().map((name) => join(ROOT, day, name)));
    cases = paths.map((path) => {
      const bytes = readFileSync(path);
      const header = parseRawHeader(bytes, path);
      const { rows } = parseDataRows(bytes, header, catalogue);
      const vg = rows.map((r) => r.vg_v ?? NaN);
      const start = Number(header.parameters["VG start"]?.value);
      const end = Number(header.parameters["VG end"]?.value);
      const nominalRange = Number.isFinite(start) && Number.isFinite(end) ? ([start, end] as const) : undefined;
      return { name: path.slice(ROOT.length), vg, result: extractCnp(vg, rows.map((r) => r.i_a ?? NaN), { nominalRange }) };
    });
  });

  it("gives every IVg file a CNP or a flag, inside the swept range", () => {
    expect(cases).toHaveLength(73);
    for (const { vg, result } of cases) {
      expect(result.cnp_voltage !== null || result.flags.length > 0).toBe(true);
      for (const value of [result.cnp_voltage, result.cnp_forward, result.cnp_backward]) {
        if (value === null) continue;
        expect(value).toBeGreaterThanOrEqual(Math.min(...vg));
        expect(value).toBeLessThanOrEqual(Math.max(...vg));
      }
      expect(result.confidence).toBeGreaterThanOrEqual(0);
      expect(result.confidence).toBeLessThanOrEqual(1);
    }
  });

  it("finds the usual loops clean: nearly all files looped, few flags, hysteresis of at most 1.5 V", () => {
    const looped = cases.filter((c) => c.result.hysteresis !== null);
    expect(looped.length).toBeGreaterThan(0.95 * cases.length);
    expect(cases.filter((c) => c.result.flags.length > 0).length).toBeLessThan(0.2 * cases.length);
    for (const { result } of looped) expect(Math.abs(result.hysteresis ?? NaN)).toBeLessThan(1.5);
    // Two runs of 2025-09-04 stop short of their last leg; the device of _11 collapses at +12 V.
    expect(Object.fromEntries(cases.filter((c) => c.result.flags.includes("not_looped")).map((c) => [c.name, c.result.flags]))).toEqual({
      "Alisson_04_sept/IVg2025-09-04_11.csv": ["not_looped", "shallow_minimum"],
      "Alisson_04_sept/IVg2025-09-04_12.csv": ["not_looped"],
    });
  });
});
