import { laserPower, type LaserModel } from "./laser-model.js";
import type { Rng } from "./prng.js";
import { pyFloat, roundSig } from "./py-float.js";
import { quantity, type RawFile } from "./raw-writer.js";

const VL_START_V = 0;
const VL_END_V = 5;
const VL_STEP_V = 0.1;
const STEP_TIME_S = 0.2;
const READINGS = 2;

/** A power-meter sweep of one laser: each point is the mean of N_avg 9-digit readings, like the real files. */
export function buildLaserCalibration(laser: LaserModel, startTime: number, rng: Rng): { file: RawFile; durationS: number } {
  const points = Math.round((VL_END_V - VL_START_V) / VL_STEP_V) + 1;
  const rows = Array.from({ length: points }, (_, i) => {
    const vl = VL_START_V + i * VL_STEP_V;
    const power = laserPower(laser, vl);
    let sum = 0;
    for (let r = 0; r < READINGS; r++) sum += roundSig(power * rng.normal(1, 5e-4), 9);
    return [vl, sum / READINGS];
  });
  return {
    durationS: points * STEP_TIME_S * READINGS,
    file: {
      procedure: "LaserCalibration",
      parameters: [
        ["N_avg", quantity(READINGS)],
        ["Optical fiber", "F1 (demo)"],
        ["Information", "None"],
        ["Laser wavelength", quantity(laser.wavelengthNm)],
        ["Procedure version", "1.1.1"],
        ["Step time", quantity(STEP_TIME_S, "s")],
        ["Laser voltage end", quantity(VL_END_V, "V")],
        ["Laser voltage start", quantity(VL_START_V, "V")],
        ["Laser voltage step", quantity(VL_STEP_V, "V")],
      ],
      metadata: [
        ["Sensor model", "demo power meter"],
        ["Start time", pyFloat(startTime)],
      ],
      columns: ["VL (V)", "Power (W)"],
      rows,
    },
  };
}
