import { describe, expect, it } from "vitest";
import { buildLaserCalibration } from "../src/demo/laser-calibration.js";
import { laserOnDay, laserPower } from "../src/demo/laser-model.js";
import { createRng } from "../src/demo/prng.js";
import { interpolateCurve, matchCalibration, type LaserCalibrationRun } from "../src/metrics/index.js";

const HOUR = 3_600_000;
const RUN = new Date("2025-10-14T12:00:00Z");
const hoursFromRun = (h: number): Date => new Date(RUN.getTime() + h * HOUR);

/** A calibration run drawn from the demo generator: a power-meter sweep 0–5 V of one laser. */
function calibration(runId: string, wavelength: number, hours: number, day = 0): LaserCalibrationRun {
  const { file } = buildLaserCalibration(laserOnDay(9, wavelength, day), hoursFromRun(hours).getTime() / 1000, createRng(9, runId));
  return { run_id: runId, start_time: hoursFromRun(hours), wavelength, vl: file.rows.map((r) => r[0] ?? NaN), power: file.rows.map((r) => r[1] ?? NaN) };
}

const light = { start_time: RUN, wavelength: 455, laser_voltage: 2.55 };

describe("matchCalibration", () => {
  it("perfect: the latest calibration before the run, within 24 h, at the same wavelength", () => {
    const calibrations = [calibration("old", 455, -50), calibration("recent", 455, -3), calibration("other-laser", 365, -1), calibration("after", 455, 2)];
    const m = matchCalibration(light, calibrations);
    expect(m).toMatchObject({ status: "perfect", calibration_run_id: "recent", flags: [] });
    expect(m.age_hours).toBeCloseTo(3, 9);
    // The demo calibration's power meter reads within 0.1 % of the laser's curve at 2.55 V.
    expect(Math.abs((m.power_w ?? NaN) / laserPower(laserOnDay(9, 455, 0), 2.55) - 1)).toBeLessThan(1e-3);
  });

  it("stale: the latest before is older than the threshold (which is an option)", () => {
    const calibrations = [calibration("old", 455, -50), calibration("after", 455, 2)];
    expect(matchCalibration(light, calibrations)).toMatchObject({ status: "stale", calibration_run_id: "old", age_hours: 50 });
    expect(matchCalibration(light, calibrations, { staleHours: 72 }).status).toBe("perfect");
  });

  it("future: none before, the earliest after, with a negative age", () => {
    const m = matchCalibration(light, [calibration("later", 455, 30), calibration("soon", 455, 2), calibration("before-but-365", 365, -2)]);
    expect(m).toMatchObject({ status: "future", calibration_run_id: "soon", age_hours: -2 });
    expect(m.power_w).not.toBeNull();
  });

  it("missing: no calibration at the wavelength, or only failed ones", () => {
    expect(matchCalibration(light, [calibration("red", 625, -1)])).toEqual({ status: "missing", calibration_run_id: null, age_hours: null, power_w: null, flags: [] });
    const failed = { ...calibration("failed", 455, -1), power: Array.from({ length: 51 }, () => NaN) };
    expect(matchCalibration(light, [failed]).status).toBe("missing");
    expect(matchCalibration(light, [failed, calibration("older", 455, -5)]).calibration_run_id).toBe("older");
  });

  it("clamps and flags a laser voltage beyond the calibrated range", () => {
    const curve = calibration("recent", 455, -1);
    const m = matchCalibration({ ...light, laser_voltage: 6 }, [curve]);
    expect(m.flags).toEqual(["extrapolated"]);
    expect(m.power_w).toBe(curve.power.at(-1));
  });
});

describe("interpolateCurve", () => {
  it("interpolates linearly between points given in any order", () => {
    expect(interpolateCurve([2, 0, 1], [30, 0, 10], 1.5)).toEqual({ value: 20, extrapolated: false });
    expect(interpolateCurve([0, 1, 2], [0, 10, 30], 1)).toEqual({ value: 10, extrapolated: false });
    expect(interpolateCurve([0, 1, 2], [0, 10, 30], 0)).toEqual({ value: 0, extrapolated: false });
  });

  it("averages the points measured twice at one voltage, and ignores NaN", () => {
    expect(interpolateCurve([0, 1, 1, 2, NaN, 3], [0, 8, 12, 30, 99, NaN], 0.5)).toEqual({ value: 5, extrapolated: false });
    expect(interpolateCurve([0, 1, 1, 2], [0, 8, 12, 30], 2)).toEqual({ value: 30, extrapolated: false });
  });

  it("clamps to the curve's ends outside its range", () => {
    expect(interpolateCurve([1, 2], [10, 30], 0.5)).toEqual({ value: 10, extrapolated: true });
    expect(interpolateCurve([1, 2], [10, 30], 2.5)).toEqual({ value: 30, extrapolated: true });
    expect(interpolateCurve([1], [10], 1)).toEqual({ value: 10, extrapolated: false });
  });

  it("gives nothing without a finite point or voltage", () => {
    expect(interpolateCurve([], [], 1)).toEqual({ value: null, extrapolated: false });
    expect(interpolateCurve([1, 2], [10, 30], NaN)).toEqual({ value: null, extrapolated: false });
  });
});
