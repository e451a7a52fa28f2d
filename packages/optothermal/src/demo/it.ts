import { channelCurrent, responsivity, type ChipModel } from "./chip-model.js";
import { laserPower, type LaserModel } from "./laser-model.js";
import type { Rng } from "./prng.js";
import { pyFloat, roundSig } from "./py-float.js";
import { currentRange, quantity, type RawFile, UNMEASURED_COLUMNS, UNMEASURED_VALUES } from "./raw-writer.js";

export interface ItRun {
  chip: ChipModel;
  diracV: number;
  laser: LaserModel;
  laserVoltageV: number;
  startTime: number;
  /** Laser ON+OFF period (s); the trace lasts 1.5 periods. @default 120 s, like the real runs */
  periodS?: number;
}

/** Laser ON+OFF period (s): like the real runs, off for half a period, on for half, off for half. */
const DEFAULT_PERIOD_S = 120;
const VDS_V = 0.1;
/** The Keithley's sample interval and the laser driver's switching latency (s). */
const SAMPLE_S = 0.0835;
const SWITCH_LATENCY_S = 0.1;

/** A photoresponse trace at fixed gate: dark, a laser pulse with exponential rise and decay, dark again. */
export function buildIt(run: ItRun, rng: Rng): { file: RawFile; durationS: number } {
  const { chip, laser } = run;
  const periodS = run.periodS ?? DEFAULT_PERIOD_S;
  const dark = channelCurrent(chip, chip.itGateV, run.diracV, VDS_V);
  const step = responsivity(chip, laser.wavelengthNm) * laserPower(laser, run.laserVoltageV);
  // Slow drift (contacts settling, warming) of up to ±0.3 % over the trace.
  const driftPerS = rng.uniform(-0.003, 0.003) / (1.5 * periodS);
  const onAt = periodS / 2 + SWITCH_LATENCY_S;
  const offAt = periodS + SWITCH_LATENCY_S;
  const risen = (t: number): number => 1 - Math.exp(-(t - onAt) / chip.riseTimeS);

  const rows: number[][] = [];
  let maxCurrent = 0;
  for (let t = 0; t <= 1.5 * periodS; t += SAMPLE_S + Math.abs(rng.normal(0, 8e-4)) + (rng.next() < 0.02 ? 0.026 : 0)) {
    const on = t >= onAt && t < offAt;
    const response = on ? risen(t) : t >= offAt ? risen(offAt) * Math.exp(-(t - offAt) / chip.fallTimeS) : 0;
    const clean = dark * (1 + driftPerS * t) + step * response;
    const current = roundSig(clean + rng.normal(0, clean * 4e-4), 7);
    maxCurrent = Math.max(maxCurrent, Math.abs(current));
    rows.push([roundSig(t, 7), current, on ? run.laserVoltageV : 0, ...UNMEASURED_VALUES]);
  }
  return {
    durationS: 1.5 * periodS,
    file: {
      procedure: "It",
      parameters: [
        ["Irange", quantity(currentRange(maxCurrent), "A")],
        ["NPLC", quantity(1)],
        ["T step start time", quantity(periodS, "s")],
        ["Chip group name", chip.group],
        ["Chip number", quantity(chip.number)],
        ["Information", "Light testing"],
        ["Initial (current) T", quantity(0, "C")],
        ["Laser ON+OFF period", quantity(periodS, "s")],
        ["Laser voltage", quantity(run.laserVoltageV, "V")],
        ["Laser wavelength", quantity(laser.wavelengthNm)],
        ["Procedure version", "2.2.0"],
        ["Sample", "other"],
        ["Sampling time (excluding Keithley)", quantity(0, "s")],
        ["Target T", quantity(25, "C")],
        ["VDS", quantity(VDS_V, "V")],
        ["VG", quantity(chip.itGateV, "V")],
      ],
      metadata: [["Start time", pyFloat(run.startTime)]],
      columns: ["t (s)", "I (A)", "VL (V)", ...UNMEASURED_COLUMNS],
      rows,
    },
  };
}
