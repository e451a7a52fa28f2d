import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoDataCommand } from "../src/cli/demo-data-command.js";
import { main } from "../src/cli/main.js";
import { captureOutput } from "./capture-output.js";
import { sweepVoltages } from "../src/demo/ivg.js";
import { labDays, localDate, localTimeToEpoch } from "../src/demo/lab-clock.js";
import { createRng } from "../src/demo/prng.js";
import { pyFloat, roundSig } from "../src/demo/py-float.js";

describe("pyFloat: Python's repr(float)", () => {
  it.each([
    [0, "0.0"],
    [5, "5.0"],
    [-5, "-5.0"],
    [0.1 * 3, "0.30000000000000004"],
    [4.042624e-5, "4.042624e-05"],
    [1e-5, "1e-05"],
    [1.206667e-4, "0.0001206667"],
    [-1.7763568394002505e-14, "-1.7763568394002505e-14"],
    [1760460048.9661174, "1760460048.9661174"],
    [1e16, "1e+16"],
    [123456789012345.0, "123456789012345.0"],
    [Number.NaN, "nan"],
  ])("%s → %s", (value, expected) => {
    expect(pyFloat(value)).toBe(expected);
  });

  it("rounds readings to significant digits", () => {
    expect(pyFloat(roundSig(3.8211063781e-5, 7))).toBe("3.821106e-05");
    expect(pyFloat(roundSig(0.08345458123, 7))).toBe("0.08345458");
  });
});

describe("sweepVoltages", () => {
  it("loops 0 → start → end → start → 0 with numpy arange's float artefacts", () => {
    const gates = sweepVoltages(-5, 5, 0.05);
    expect(gates).toHaveLength(601);
    expect(gates.slice(0, 4).map(pyFloat)).toEqual(["0.0", "-0.05", "-0.1", "-0.15000000000000002"]);
    const turns = gates.flatMap((v, i) => {
      const before = gates[i - 1];
      const after = gates[i + 1];
      return before !== undefined && after !== undefined && (v - before) * (after - v) < 0 ? [Math.round(v)] : [];
    });
    expect(turns).toEqual([-5, 5, -5]);
    expect(gates.at(-1)).toBe(0);
  });
});

describe("lab clock", () => {
  it("converts lab-local wall-clock time to epoch seconds across DST", () => {
    // Santiago is UTC−3 in (southern) summer time and UTC−4 in winter.
    expect(localTimeToEpoch("2025-10-20", 10, "America/Santiago")).toBe(Date.UTC(2025, 9, 20, 13) / 1000);
    expect(localTimeToEpoch("2025-07-01", 10, "America/Santiago")).toBe(Date.UTC(2025, 6, 1, 14) / 1000);
    expect(localDate(Date.UTC(2025, 9, 21, 2) / 1000, "America/Santiago")).toBe("2025-10-20");
  });

  it("lists consecutive days over month and year ends, and rejects non-dates", () => {
    expect(labDays("2025-12-30", 3)).toEqual(["2025-12-30", "2025-12-31", "2026-01-01"]);
    expect(() => labDays("2025-13-01", 1)).toThrow(/not a date/);
    expect(() => labDays("20251020", 1)).toThrow(/not a date/);
  });
});

describe("createRng", () => {
  it("repeats for a seed and label, and differs across either", () => {
    const draw = (seed: number, label: string): number[] => {
      const rng = createRng(seed, label);
      return Array.from({ length: 5 }, () => rng.next());
    };
    expect(draw(1, "a")).toEqual(draw(1, "a"));
    expect(draw(1, "a")).not.toEqual(draw(2, "a"));
    expect(draw(1, "a")).not.toEqual(draw(1, "b"));
  });

  it("keeps uniform draws in range and normal draws within ±3σ", () => {
    const rng = createRng(3, "range");
    const uniform = Array.from({ length: 10_000 }, () => rng.uniform(2, 4));
    const normal = Array.from({ length: 10_000 }, () => rng.normal(10, 1));
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...uniform)).toBeLessThan(4);
    expect(Math.min(...normal)).toBeGreaterThanOrEqual(7);
    expect(Math.max(...normal)).toBeLessThanOrEqual(13);
  });
});

describe("demo-data command", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "optothermal-demo-cli-"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("prints the counts, chips and broken files it wrote", async () => {
    let printed = "";
    const out = path.join(root, "direct");
    const options = { out, chips: 2, days: 1, seed: 4, startDate: "2025-10-20", tz: "America/Santiago", force: false, ifEmpty: false };
    const summary = await demoDataCommand(options, (text) => (printed += text));
    expect(printed).toContain(`Wrote ${(summary?.files.length ?? 0) + (summary?.broken.length ?? 0)} demo raw files to ${out}`);
    expect(printed).toContain("IVg 4, It 6, LaserCalibration 3");
    expect(printed).toContain("chip Demo 2: Dirac point");
    expect(printed).toContain("_broken-truncated-row.csv: truncated in data row");
  });

  it("parses its options through commander", async () => {
    const out = path.join(root, "cli");
    const output = captureOutput();
    const code = await main(["demo-data", "--out", out, "--chips", "1", "--days", "2", "--seed", "9", "--start-date", "2026-01-05"], output);
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["2026-01-05", "2026-01-06"]);

    const again = captureOutput();
    expect(await main(["demo-data", "--out", out, "--if-empty", "--start-date", "2027-01-01"], again)).toBe(0);
    expect(again.outText()).toMatch(/already holds \d+ raw file\(s\): no demo data written/);
    expect(readdirSync(out).sort()).toEqual(["2026-01-05", "2026-01-06"]);
  });

  it("rejects a non-numeric count", async () => {
    const output = captureOutput();
    expect(await main(["demo-data", "--chips", "three"], output)).toBe(2);
    expect(output.errText()).toMatch(/Expected --chips to be a whole number ≥ 1, got `three`/);
  });
});
