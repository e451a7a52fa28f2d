import { channelCurrent, type ChipModel } from "./chip-model.js";
import type { Rng } from "./prng.js";
import { pyFloat, roundSig } from "./py-float.js";
import { currentRange, quantity, type RawFile, UNMEASURED_COLUMNS, UNMEASURED_VALUES } from "./raw-writer.js";

export interface IvgRun {
  chip: ChipModel;
  /** The Dirac point at the time of the run, midway between the two sweep directions. */
  diracV: number;
  startTime: number;
  information: string;
  burnInS: number;
}

const VG_START_V = -5;
const VG_END_V = 5;
const VG_STEP_V = 0.05;
const VDS_V = 0.1;
/** Gate distance over which trapped charge catches up after the sweep turns (V). */
const TRAP_RELAXATION_V = 0.4;
/** Seconds per point (NPLC 1 plus settling), for the next run's start time. */
const SECONDS_PER_POINT = 0.11;

/**
 * The gate values of a looped sweep 0 → start → end → start → 0, with the float artefacts of the
 * real files (each leg is numpy's `arange`: a + i·((a + step) − a)).
 */
export function sweepVoltages(start: number, end: number, step: number): number[] {
  const toStart = arange(0, start, -step);
  return [...toStart, ...arange(start, end, step), ...arange(end, start, -step, 1), ...toStart.reverse()];
}

function arange(from: number, to: number, step: number, extra = 0): number[] {
  const count = Math.round(Math.abs(to - from) / Math.abs(step)) + extra;
  const delta = from + step - from;
  return Array.from({ length: count }, (_, i) => from + i * delta);
}

/** A dark transfer curve; the up-sweep's minimum sits hysteresis/2 above `diracV`, the down-sweep's below. */
export function buildIvg(run: IvgRun, rng: Rng): { file: RawFile; durationS: number } {
  const { chip } = run;
  const gates = sweepVoltages(VG_START_V, VG_END_V, VG_STEP_V);
  const relax = 1 - Math.exp(-VG_STEP_V / TRAP_RELAXATION_V);
  // The trap state starts settled for the first leg's direction (down, towards VG start).
  let shift = -chip.hysteresisV / 2;
  const currents = gates.map((vg, i) => {
    const previous = gates[i - 1] ?? 0;
    const target = (vg >= previous ? 1 : -1) * (chip.hysteresisV / 2);
    shift += (target - shift) * relax;
    const clean = channelCurrent(chip, vg, run.diracV + shift, VDS_V);
    return roundSig(clean + rng.normal(0, clean * 4e-4 + 2e-9), 7);
  });
  const rows = gates.map((vg, i) => [vg, currents[i] ?? NaN, ...UNMEASURED_VALUES]);
  const maxCurrent = Math.max(...currents.map(Math.abs));
  return {
    durationS: run.burnInS + gates.length * SECONDS_PER_POINT,
    file: {
      procedure: "IVg",
      parameters: [
        ["Irange", quantity(currentRange(maxCurrent), "A")],
        ["NPLC", quantity(1)],
        ["Burn-in time", quantity(run.burnInS, "s")],
        ["Chip group name", chip.group],
        ["Chip number", quantity(chip.number)],
        ["Information", run.information],
        ["Laser voltage", quantity(0, "V")],
        ["Laser wavelength", quantity(0)],
        ["Procedure version", "2.1.0"],
        ["Sample", "other"],
        ["Step time", quantity(0, "s")],
        ["VDS", quantity(VDS_V, "V")],
        ["VG end", quantity(VG_END_V, "V")],
        ["VG start", quantity(VG_START_V, "V")],
        ["VG step", quantity(VG_STEP_V, "V")],
      ],
      metadata: [["Start time", pyFloat(run.startTime)]],
      columns: ["Vg (V)", "I (A)", ...UNMEASURED_COLUMNS],
      rows,
    },
  };
}
