import { createRng, type Rng } from "./prng.js";

/** The lab's light sources (nm). */
export const WAVELENGTHS_NM = [365, 385, 405, 455, 505, 565, 590, 625, 680, 850] as const;

/** A laser diode and its driver on one day: optical power at the sample vs driver voltage. */
export interface LaserModel {
  wavelengthNm: number;
  thresholdV: number;
  slopeWPerV: number;
  /** What the power meter reads with the laser off. */
  darkPowerW: number;
}

/** Sharpness of the lasing threshold (V): power rises smoothly but steeply past it. */
const KNEE_V = 0.015;

/** A laser's state on a day: a fixed character per wavelength, a few % day-to-day wander. */
export function laserOnDay(seed: number, wavelengthNm: number, day: number): LaserModel {
  const base = createRng(seed, `laser:${wavelengthNm}`);
  const today = createRng(seed, `laser:${wavelengthNm}:day:${day}`);
  const thresholdV = base.uniform(0.1, 0.3);
  const maxPowerW = base.uniform(6e-6, 3.2e-5);
  return {
    wavelengthNm,
    thresholdV,
    slopeWPerV: (maxPowerW / (5 - thresholdV)) * today.normal(1, 0.03),
    darkPowerW: today.uniform(5e-10, 5e-9),
  };
}

/** Optical power (W) at driver voltage `vl`: strictly increasing, ~0 below threshold, then linear. */
export function laserPower(laser: LaserModel, vl: number): number {
  const softplus = Math.log1p(Math.exp((vl - laser.thresholdV) / KNEE_V)) * KNEE_V;
  return laser.darkPowerW + laser.slopeWPerV * softplus;
}

/** A driver voltage an operator would use for an It run: well above threshold, below the maximum. */
export function pickLaserVoltage(laser: LaserModel, rng: Rng): number {
  return Math.round(rng.uniform(laser.thresholdV + 1, 4.5) * 100) / 100;
}
