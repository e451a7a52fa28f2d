import { describe, expect, it } from "vitest";
import { createChips, responsivity } from "../src/demo/chip-model.js";
import { buildIt } from "../src/demo/it.js";
import { laserOnDay, laserPower } from "../src/demo/laser-model.js";
import { createRng } from "../src/demo/prng.js";
import { extractPhotoresponse } from "../src/metrics/index.js";

interface Trace {
  t: number[];
  y: number[];
  vl: number[];
}

/**
 * Off/on cycles of `halfPeriodS` each, ending dark, sampled like the Keithley (83.5 ms): a dark
 * level with drift (`drift(t)`, relative), a step of `step` with exponential rise and fall, relative noise.
 */
function trace(o: { dark: number; step: number; cycles: number; halfPeriodS: number; riseS: number; fallS: number; drift: (t: number) => number; noise: number }): Trace {
  const rng = createRng(11, `trace:${o.step}:${o.cycles}`);
  const out: Trace = { t: [], y: [], vl: [] };
  let response = 0;
  let previous = 0;
  for (let t = 0; t <= (2 * o.cycles + 1) * o.halfPeriodS; t += 0.0835) {
    const on = Math.floor(t / o.halfPeriodS) % 2 === 1;
    // Exact first-order response between samples.
    const tau = on ? o.riseS : o.fallS;
    response = (on ? 1 : 0) + (response - (on ? 1 : 0)) * Math.exp(-(t - previous) / tau);
    previous = t;
    const clean = o.dark * (1 + o.drift(t)) + o.step * response;
    out.t.push(t);
    out.y.push(clean + rng.normal(0, Math.abs(clean) * o.noise));
    out.vl.push(on ? 2.5 : 0);
  }
  return out;
}

const base = { dark: 4e-5, cycles: 2, halfPeriodS: 60, riseS: 2, fallS: 3, noise: 4e-4 };
/** The photocurrent is 0.5 % of the dark current here: the levels' noise limits the answer to a few %. */
const DELTA_TOLERANCE = 0.05;
const within = (actual: number | null, expected: number, relative: number): void => {
  expect(actual).not.toBeNull();
  expect(Math.abs(((actual ?? NaN) - expected) / expected)).toBeLessThan(relative);
};

describe("extractPhotoresponse", () => {
  it("recovers a positive photoresponse under a strong linear drift", () => {
    // Drift over the trace (+5 %, 2 µA) is ten times the photocurrent.
    const r = extractPhotoresponse(...args(trace({ ...base, step: 2e-7, drift: (t) => 0.05 * (t / 300) })));
    within(r.delta_current, 2e-7, DELTA_TOLERANCE);
    expect(r.n_cycles).toBe(2);
    expect(r.flags).toEqual([]);
    within(r.on_off_ratio, 1 + 2e-7 / (4e-5 * 1.0125), 1e-3);
  });

  it("recovers a negative photoresponse under a curved drift, as a valid result", () => {
    const r = extractPhotoresponse(...args(trace({ ...base, step: -3e-7, drift: (t) => -0.003 * (t / 300) ** 2 })));
    within(r.delta_current, -3e-7, DELTA_TOLERANCE);
    expect(r.flags).toEqual(["negative_photoresponse"]);
  });

  it("works on a voltage (Vt): the same trace in volts", () => {
    const r = extractPhotoresponse(...args(trace({ ...base, dark: 0.1, step: -2e-3, drift: (t) => 0.01 * (t / 300) })));
    within(r.delta_current, -2e-3, DELTA_TOLERANCE);
    expect(r.flags).toEqual(["negative_photoresponse"]);
  });

  it("measures 10–90 % rise and fall times of known exponentials: τ·ln 9", () => {
    const r = extractPhotoresponse(...args(trace({ ...base, step: 1e-6, riseS: 4, fallS: 9, cycles: 3, halfPeriodS: 120, drift: () => 0 })));
    within(r.rise_time, 4 * Math.log(9), 0.03);
    within(r.fall_time, 9 * Math.log(9), 0.03);
    expect(r.n_cycles).toBe(3);
  });

  it("recovers the demo generator's photocurrent (one cycle, drift, switching latency)", () => {
    const [chip] = createChips(5, 1);
    if (chip === undefined) throw new Error("no chip");
    const fast = { ...chip, riseTimeS: 1.5, fallTimeS: 2.5 };
    const laser = laserOnDay(5, 455, 0);
    for (const [k, vl] of [1.5, 3, 4.5].entries()) {
      const { file } = buildIt({ chip: fast, diracV: chip.diracV, laser, laserVoltageV: vl, startTime: 0 }, createRng(5, `it:${k}`));
      const column = (c: number): number[] => file.rows.map((row) => row[c] ?? NaN);
      const r = extractPhotoresponse(column(0), column(1), column(2));
      within(r.delta_current, responsivity(chip, 455) * laserPower(laser, vl), DELTA_TOLERANCE);
      within(r.rise_time, 1.5 * Math.log(9), 0.1);
      within(r.fall_time, 2.5 * Math.log(9), 0.1);
      expect(r.n_cycles).toBe(1);
    }
  });

  it("tolerates NaN samples", () => {
    const { t, y, vl } = trace({ ...base, step: 2e-7, drift: () => 0 });
    const r = extractPhotoresponse(t, y.map((v, k) => (k % 13 === 0 ? NaN : v)), vl.map((v, k) => (k % 17 === 0 ? NaN : v)));
    within(r.delta_current, 2e-7, DELTA_TOLERANCE);
  });

  it("flags a trace without light, and one without dark", () => {
    const { t, y, vl } = trace({ ...base, step: 2e-7, drift: () => 0 });
    expect(extractPhotoresponse(t, y, vl.map(() => 0.05))).toMatchObject({ delta_current: null, n_cycles: 0, flags: ["no_light"] });
    expect(extractPhotoresponse(t, y, vl.map(() => 3))).toMatchObject({ delta_current: null, rise_time: null, n_cycles: 0, flags: ["no_dark_reference"] });
  });

  it("uses the one dark side there is when the trace ends in light", () => {
    const { t, y, vl } = trace({ ...base, step: 2e-7, cycles: 1, drift: () => 0 });
    const cut = t.findIndex((v) => v > 120);
    const r = extractPhotoresponse(t.slice(0, cut), y.slice(0, cut), vl.slice(0, cut));
    within(r.delta_current, 2e-7, DELTA_TOLERANCE);
    expect(r.fall_time).toBeNull();
    within(r.rise_time, 2 * Math.log(9), 0.05);
  });
});

function args(tr: Trace): [number[], number[], number[]] {
  return [tr.t, tr.y, tr.vl];
}
