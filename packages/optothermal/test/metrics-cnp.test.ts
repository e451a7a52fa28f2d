import { describe, expect, it } from "vitest";
import { channelCurrent, createChips, type ChipModel } from "../src/demo/chip-model.js";
import { buildIvg, sweepVoltages } from "../src/demo/ivg.js";
import { createRng } from "../src/demo/prng.js";
import { extractCnp, fitParabola, splitSweepLegs } from "../src/metrics/index.js";

const TOLERANCE_V = 0.05;
const chips = createChips(7, 6);
const chip = (i: number): ChipModel => chips[i] ?? chips[0] ?? (() => { throw new Error("no chip"); })();

/** The demo's looped IVg (0 → -5 → 5 → -5 → 0 V, noisy) as arrays. */
function demoSweep(model: ChipModel, diracV: number, seed: string): { vg: number[]; i: number[] } {
  const { file } = buildIvg({ chip: model, diracV, startTime: 0, information: "test", burnInS: 0 }, createRng(3, seed));
  return { vg: file.rows.map((r) => r[0] ?? NaN), i: file.rows.map((r) => r[1] ?? NaN) };
}

/**
 * A sweep through the given turning points, step 0.05 V, with the Dirac point at `diracV` ± h/2
 * (going up / going down), like the demo but with any path.
 */
function pathSweep(model: ChipModel, diracV: number, hysteresisV: number, turns: readonly number[]): { vg: number[]; i: number[] } {
  const vg: number[] = [];
  const i: number[] = [];
  const rng = createRng(5, `path:${turns.join(",")}`);
  for (let k = 1; k < turns.length; k++) {
    const from = turns[k - 1] ?? 0;
    const to = turns[k] ?? 0;
    const steps = Math.round(Math.abs(to - from) / 0.05);
    const up = to > from;
    for (let s = k === 1 ? 0 : 1; s <= steps; s++) {
      const g = from + ((to - from) * s) / steps;
      const clean = channelCurrent(model, g, diracV + ((up ? 1 : -1) * hysteresisV) / 2, 0.1);
      vg.push(g);
      i.push(clean + rng.normal(0, clean * 4e-4));
    }
  }
  return { vg, i };
}

describe("splitSweepLegs", () => {
  it("cuts at the turning points and shares them between legs", () => {
    expect(splitSweepLegs(sweepVoltages(-5, 5, 0.05), 0.1).map((l) => [l.direction, l.start, l.end])).toEqual([
      [-1, 0, 100], [1, 100, 300], [-1, 300, 500], [1, 500, 600],
    ]);
  });

  it("ignores back-steps smaller than the tolerance", () => {
    expect(splitSweepLegs([0, 1, 2, 1.95, 3, 4, 3, 2], 0.1)).toEqual([{ direction: 1, start: 0, end: 5 }, { direction: -1, start: 5, end: 7 }]);
  });
});

describe("fitParabola", () => {
  it("recovers an exact parabola far from the origin, at any scale", () => {
    const x = [10, 10.5, 11, 11.5, 12];
    const fit = fitParabola(x, x.map((v) => 1e-6 * (3 + 2 * v + 0.5 * v * v)));
    expect(fit?.a).toBeCloseTo(3e-6, 12);
    expect(fit?.b).toBeCloseTo(2e-6, 12);
    expect(fit?.c).toBeCloseTo(0.5e-6, 12);
    expect(fit?.r2).toBeCloseTo(1, 9);
  });

  it("refuses too few or coincident points", () => {
    expect(fitParabola([1, 2], [1, 2])).toBeNull();
    expect(fitParabola([1, 1, 1], [1, 2, 3])).toBeNull();
  });
});

describe("extractCnp on IVg sweeps with a known Dirac point", () => {
  it.each([-1.8, -0.7, 0, 0.45, 1.9])("recovers a Dirac point at %s V and its hysteresis within 0.05 V", (diracV) => {
    for (let k = 0; k < chips.length; k++) {
      const model = chip(k);
      const { vg, i } = demoSweep(model, diracV, `dirac:${diracV}:${k}`);
      const r = extractCnp(vg, i, { nominalRange: [-5, 5] });
      expect(r.flags).toEqual([]);
      expect(r.cnp_voltage).toBeCloseTo(diracV, 1);
      expect(Math.abs((r.cnp_voltage ?? NaN) - diracV)).toBeLessThan(TOLERANCE_V);
      // The demo's up-sweep minimum sits h/2 above the Dirac point: backward − forward = −h.
      expect(Math.abs((r.cnp_forward ?? NaN) - (diracV + model.hysteresisV / 2))).toBeLessThan(TOLERANCE_V);
      expect(Math.abs((r.cnp_backward ?? NaN) - (diracV - model.hysteresisV / 2))).toBeLessThan(TOLERANCE_V);
      expect(Math.abs((r.hysteresis ?? NaN) + model.hysteresisV)).toBeLessThan(TOLERANCE_V);
      expect(r.confidence).toBeGreaterThan(0.9);
      // The half legs from and back to 0 V span 50 % of the range: not used.
      expect(r.legs.map((l) => [l.direction, l.cnp === null])).toEqual([["backward", true], ["forward", false], ["backward", false], ["forward", true]]);
    }
  });

  it("tolerates NaN readings, even next to the minimum", () => {
    const model = chip(2);
    const { vg, i } = demoSweep(model, 0.6, "nan");
    const holed = i.map((v, k) => (k % 9 === 0 || Math.abs((vg[k] ?? 0) - 0.6) < 0.08 ? NaN : v));
    const gates = vg.map((v, k) => (k === 250 ? NaN : v));
    const r = extractCnp(gates, holed);
    expect(r.flags).toEqual([]);
    expect(Math.abs((r.cnp_voltage ?? NaN) - 0.6)).toBeLessThan(TOLERANCE_V);
    expect(Math.abs((r.hysteresis ?? NaN) + model.hysteresisV)).toBeLessThan(TOLERANCE_V);
  });

  it("combines several legs per direction: 0 → 5 → -5 → 5 → -5 → 0", () => {
    const model = chip(4);
    const { vg, i } = pathSweep(model, -0.9, 0.3, [0, 5, -5, 5, -5, 0]);
    const r = extractCnp(vg, i);
    expect(r.legs.filter((l) => l.cnp !== null).map((l) => l.direction)).toEqual(["backward", "forward", "backward"]);
    expect(Math.abs((r.cnp_forward ?? NaN) - -0.75)).toBeLessThan(TOLERANCE_V);
    expect(Math.abs((r.cnp_backward ?? NaN) - -1.05)).toBeLessThan(TOLERANCE_V);
    expect(Math.abs((r.hysteresis ?? NaN) - -0.3)).toBeLessThan(TOLERANCE_V);
  });

  it("flags a sweep in one direction only as not_looped, and still gives its CNP", () => {
    const { vg, i } = pathSweep(chip(1), 0.3, 0.4, [-5, 5]);
    const r = extractCnp(vg, i);
    expect(r.flags).toEqual(["not_looped"]);
    expect(Math.abs((r.cnp_forward ?? NaN) - 0.5)).toBeLessThan(TOLERANCE_V);
    expect(r.cnp_voltage).toBe(r.cnp_forward);
    expect(r.cnp_backward).toBeNull();
    expect(r.hysteresis).toBeNull();
    expect(r.confidence).toBeLessThan(0.75);
  });

  it("flags a sweep cut short of its programmed range as incomplete_sweep", () => {
    const { vg, i } = pathSweep(chip(1), 0.3, 0.4, [0, -2, 1]);
    const r = extractCnp(vg, i, { nominalRange: [-5, 5] });
    expect(r.flags).toEqual(["incomplete_sweep"]);
    expect(r.cnp_voltage).toBeNull();
    expect(r.confidence).toBe(0);
  });

  it("flags a hysteresis above 1 V", () => {
    const { vg, i } = pathSweep(chip(3), 0.2, 1.4, [-5, 5, -5]);
    const r = extractCnp(vg, i);
    expect(r.flags).toEqual(["high_hysteresis"]);
    expect(Math.abs((r.hysteresis ?? NaN) + 1.4)).toBeLessThan(TOLERANCE_V);
    expect(Math.abs((r.cnp_voltage ?? NaN) - 0.2)).toBeLessThan(TOLERANCE_V);
  });

  it("flags a CNP outside the swept range instead of inventing one", () => {
    const { vg, i } = pathSweep(chip(0), 6, 0.2, [-5, 5, -5]);
    const r = extractCnp(vg, i);
    expect(r.flags).toEqual(["cnp_at_edge"]);
    expect(r.cnp_voltage).toBeNull();
  });

  it("flags a shallow minimum: a current that collapsed at high gate", () => {
    const { vg, i } = pathSweep(chip(0), 0, 0, [-5, 5]);
    const collapsed = i.map((v, k) => ((vg[k] ?? 0) > 3 ? 0.05 * v * (1 + 0.1 * ((vg[k] ?? 0) - 4.5) ** 2) : v));
    const r = extractCnp(vg, collapsed);
    expect(r.flags).toContain("not_looped");
    expect(r.flags).toContain("shallow_minimum");
    expect(r.cnp_voltage).toBeGreaterThan(3);
    expect(r.confidence).toBeLessThan(0.4);
  });

  it("falls back to the discrete minimum when the window is not a convex bowl", () => {
    // A dome with a three-point notch at its top (a glitch): the parabola over the window is concave.
    const vg = Array.from({ length: 201 }, (_, k) => Math.round((-5 + k * 0.05) * 100) / 100);
    const i = vg.map((g) => (Math.abs(g) > 0.4 ? 2 : Math.abs(g) <= 0.05 ? 0 : 1 - 12 * g * g));
    const r = extractCnp(vg, i);
    expect(r.flags).toEqual(["not_looped", "fit_fallback"]);
    expect(r.cnp_forward).toBe(-0.05);
    expect(r.legs[0]).toMatchObject({ fallback: true, r2: null });
    expect(r.confidence).toBeCloseTo(0.5 * 0.7, 9);
  });
});

describe("extractCnp on VVg sweeps: the peak of |VDS|", () => {
  it("finds the maximum of |VDS| at a fixed current, with its hysteresis", () => {
    const model = chip(5);
    const { vg, i } = demoSweep(model, -0.4, "vvg");
    // At a fixed drain current the voltage is inversely proportional to the conductance; negative bias.
    const vds = i.map((current) => -1e-6 / (current / 0.1));
    const r = extractCnp(vg, vds, { extremum: "max" });
    expect(r.flags).toEqual([]);
    expect(Math.abs((r.cnp_voltage ?? NaN) - -0.4)).toBeLessThan(TOLERANCE_V);
    expect(Math.abs((r.hysteresis ?? NaN) + model.hysteresisV)).toBeLessThan(TOLERANCE_V);
  });
});
