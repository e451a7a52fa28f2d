import { createRng } from "./prng.js";

/** A simulated graphene FET: the "truth" the demo files are drawn from (and tests check against). */
export interface ChipModel {
  group: string;
  number: number;
  /** Charge-neutrality point (V) on the first demo day's midnight. */
  diracV: number;
  /** Slow drift of the Dirac point, V per day (clamped to ±2 V overall). */
  diracDriftVPerDay: number;
  /** Up-sweep Dirac point minus down-sweep Dirac point (V): trapped charge lags the gate. */
  hysteresisV: number;
  /** Channel conductance at the Dirac point (S). */
  minConductanceS: number;
  /** How fast the conductance rises away from the Dirac point on the hole and electron branches (V). */
  holeWidthV: number;
  electronWidthV: number;
  /** The gate voltage It runs use (the operator picks one on the hole side, near the Dirac point). */
  itGateV: number;
  /** Photocurrent per optical power at 455 nm (A/W). */
  responsivityAPerW: number;
  riseTimeS: number;
  fallTimeS: number;
}

export const CHIP_GROUP = "Demo";
const DIRAC_LIMIT_V = 2;

export function createChips(seed: number, count: number): ChipModel[] {
  return Array.from({ length: count }, (_, i) => {
    const rng = createRng(seed, `chip:${i}`);
    const diracV = rng.uniform(-1.5, 1.5);
    const holeWidthV = rng.uniform(0.9, 1.6);
    return {
      group: CHIP_GROUP,
      number: i + 1,
      diracV,
      diracDriftVPerDay: rng.uniform(-0.08, 0.08),
      hysteresisV: rng.uniform(0.15, 0.4),
      minConductanceS: rng.uniform(8e-5, 4e-4),
      holeWidthV,
      electronWidthV: holeWidthV * rng.uniform(1, 1.5),
      itGateV: Math.round((diracV - rng.uniform(0.5, 1.5)) * 20) / 20,
      responsivityAPerW: rng.uniform(0.02, 0.08),
      riseTimeS: rng.uniform(4, 12),
      fallTimeS: rng.uniform(8, 20),
    };
  });
}

/** The Dirac point `days` after the first demo day's midnight. */
export function diracAt(chip: ChipModel, days: number): number {
  const drifted = chip.diracV + chip.diracDriftVPerDay * days;
  return Math.max(-DIRAC_LIMIT_V, Math.min(DIRAC_LIMIT_V, drifted));
}

/**
 * Drain current (A): graphene's conductance grows like sqrt(n0² + n²) away from the Dirac point;
 * the two branches differ in width (electron/hole asymmetry) but both are flat at the minimum,
 * so the minimum stays exactly at `diracV`.
 */
export function channelCurrent(chip: ChipModel, vg: number, diracV: number, vds: number): number {
  const offset = vg - diracV;
  const width = offset < 0 ? chip.holeWidthV : chip.electronWidthV;
  return chip.minConductanceS * vds * Math.sqrt(1 + (offset / width) ** 2);
}

/** Photoresponse falls off towards the infrared (fewer photons absorbed per watt in the stack). */
export function responsivity(chip: ChipModel, wavelengthNm: number): number {
  return chip.responsivityAPerW * Math.sqrt(455 / wavelengthNm);
}
