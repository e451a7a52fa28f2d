import { fitParabola } from "./fit-parabola.js";
import { median, movingMedian } from "./stats.js";
import { splitSweepLegs, type SweepLeg } from "./sweep-legs.js";

/**
 * Which extremum of |signal| marks the charge-neutrality point: the minimum of |I| for an IVg
 * (fixed VDS), the maximum of |VDS| for a VVg (fixed current: the resistance peaks there).
 */
export type CnpExtremum = "min" | "max";

export type CnpFlag =
  /** No leg covers `minLegCoverage` of the sweep range: the run was cut short. */
  | "incomplete_sweep"
  /** The usable legs all go the same way: no hysteresis. */
  | "not_looped"
  /** |hysteresis| above `highHysteresisV`. */
  | "high_hysteresis"
  /** A leg's parabola was not convex or its vertex fell outside the window: its discrete extremum is used. */
  | "fit_fallback"
  /** A leg's extremum sits on its first or last point: the CNP is outside what the leg swept. */
  | "cnp_at_edge"
  /**
   * From a leg's extremum to the nearer of its ends |signal| rises by less than 5 % of the leg's
   * full swing: the "dip" is a shoulder (say, a device whose current collapsed at high gate), so it
   * may not be a Dirac point.
   */
  | "shallow_minimum";

export interface CnpOptions {
  /** Default "min" (IVg). */
  extremum?: CnpExtremum;
  /**
   * The programmed gate range (VG start, VG end). Coverage is measured against the wider of it and
   * the swept span, so a run aborted early is caught even when its own span looks complete.
   */
  nominalRange?: readonly [number, number];
  /** Fraction of the range a leg must span to be used; default 0.6. */
  minLegCoverage?: number;
  /** Default 1 V. */
  highHysteresisV?: number;
}

/** What one leg of the sweep gave. */
export interface CnpLegResult {
  direction: "forward" | "backward";
  /** Indices into the finite points (NaN readings dropped), inclusive. */
  start: number;
  end: number;
  /** Fraction of the reference range this leg spans. */
  coverage: number;
  /** Null when the leg is not used (too short) or its extremum is at an edge. */
  cnp: number | null;
  /** R² of the parabola, null when the fit was not used. */
  r2: number | null;
  fallback: boolean;
  shallow: boolean;
}

export interface CnpResult {
  /** Mean of the forward and backward CNPs, or the only one there is (V). */
  cnp_voltage: number | null;
  /** Median over the legs of increasing gate (V). */
  cnp_forward: number | null;
  /** Median over the legs of decreasing gate (V). */
  cnp_backward: number | null;
  /**
   * cnp_backward − cnp_forward (V), signed: positive when the down-sweep's CNP lies higher (charge
   * trapping), negative when lower (capacitive gating). Null without both directions.
   */
  hysteresis: number | null;
  /** 0–1: mean over the legs used of R² (0.5 for a fallback; halved when shallow), × 0.7 for a single direction. */
  confidence: number;
  flags: CnpFlag[];
  legs: CnpLegResult[];
}

const DEFAULT_MIN_LEG_COVERAGE = 0.6;
const DEFAULT_HIGH_HYSTERESIS_V = 1;
/** A turn must move back this fraction of the span: smaller back-steps are jitter. */
const JITTER_FRACTION = 0.01;
/** Fewer points cannot place a parabola's vertex with any confidence. */
const MIN_LEG_POINTS = 5;
/**
 * Half-window of the fit, as a fraction of the leg's points (at least MIN_HALF_WINDOW). Kept
 * small on purpose: the two branches of a real transfer curve have different curvatures, and a
 * parabola over a wide window shifts its vertex towards the flatter branch (by ≈ 0.14 × the
 * half-window when the widths differ by 1.5×), while too few points let noise in: 2.5 % of a
 * 201-point leg is ±5 points (±0.25 V at 0.05 V steps), which keeps both under 0.04 V on the demo chips.
 */
const HALF_WINDOW_FRACTION = 0.025;
const MIN_HALF_WINDOW = 3;
/** Spike-proof location of the discrete extremum before fitting. */
const LOCATE_MEDIAN_WIDTH = 5;
/** Rise from the extremum to the leg's nearer end, as a fraction of the leg's swing, below which the dip is shallow. */
const SHALLOW_RISE = 0.05;
/** Confidence weights: a leg that fell back to its discrete point, a sweep with one direction. */
const FALLBACK_QUALITY = 0.5;
const SINGLE_DIRECTION_FACTOR = 0.7;
const SHALLOW_QUALITY = 0.5;

/**
 * The charge-neutrality (Dirac) point of a gate sweep, per direction, with the hysteresis.
 * Points where the gate or the signal is NaN are dropped. The sweep is split into monotonic legs;
 * each leg spanning `minLegCoverage` of the range gets a parabola fitted around its extremum of
 * |signal| and the vertex is its CNP; legs of one direction are combined by their median.
 * @example
 * // a loop -5 → 5 → -5 V with |I| minimal at +0.2 V going up and -0.2 V going down
 * const r = extractCnp(vg, current);
 * r.cnp_forward // ≈ 0.2; r.cnp_backward // ≈ -0.2; r.cnp_voltage // ≈ 0; r.hysteresis // ≈ -0.4
 * extractCnp(vg, vds, { extremum: "max" }) // a VVg: the peak of |VDS|
 */
export function extractCnp(vg: readonly number[], signal: readonly number[], options: CnpOptions = {}): CnpResult {
  const minCoverage = options.minLegCoverage ?? DEFAULT_MIN_LEG_COVERAGE;
  const sign = (options.extremum ?? "min") === "min" ? 1 : -1;
  // Always look for a minimum: of |I|, or of −|VDS|.
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < Math.min(vg.length, signal.length); i++) {
    const g = vg[i] ?? NaN;
    const s = signal[i] ?? NaN;
    if (Number.isFinite(g) && Number.isFinite(s)) {
      x.push(g);
      y.push(sign * Math.abs(s));
    }
  }
  const swept = x.length > 0 ? Math.max(...x) - Math.min(...x) : 0;
  const nominal = options.nominalRange === undefined ? 0 : Math.abs(options.nominalRange[1] - options.nominalRange[0]);
  const span = Math.max(swept, nominal);

  const flags = new Set<CnpFlag>();
  const legs = span > 0 ? splitSweepLegs(x, JITTER_FRACTION * span).map((leg) => fitLeg(leg, x, y, span, minCoverage)) : [];
  const used = legs.filter((leg) => leg.coverage >= minCoverage && leg.end - leg.start + 1 >= MIN_LEG_POINTS);
  if (used.length === 0) flags.add("incomplete_sweep");
  else if (new Set(used.map((leg) => leg.direction)).size === 1) flags.add("not_looped");
  if (used.some((leg) => leg.fallback)) flags.add("fit_fallback");
  if (used.some((leg) => leg.cnp === null)) flags.add("cnp_at_edge");
  if (used.some((leg) => leg.shallow)) flags.add("shallow_minimum");

  const combine = (direction: CnpLegResult["direction"]): number | null => {
    const m = median(used.filter((leg) => leg.direction === direction && leg.cnp !== null).map((leg) => leg.cnp ?? NaN));
    return Number.isFinite(m) ? m : null;
  };
  const forward = combine("forward");
  const backward = combine("backward");
  const hysteresis = forward !== null && backward !== null ? backward - forward : null;
  if (hysteresis !== null && Math.abs(hysteresis) > (options.highHysteresisV ?? DEFAULT_HIGH_HYSTERESIS_V)) flags.add("high_hysteresis");
  const cnp = forward !== null && backward !== null ? (forward + backward) / 2 : (forward ?? backward);

  const measured = used.filter((leg) => leg.cnp !== null);
  const quality = measured.map((leg) => (leg.fallback ? FALLBACK_QUALITY : Math.max(0, leg.r2 ?? 0)) * (leg.shallow ? SHALLOW_QUALITY : 1));
  const meanQuality = quality.length > 0 ? quality.reduce((s, q) => s + q, 0) / quality.length : 0;
  return {
    cnp_voltage: cnp,
    cnp_forward: forward,
    cnp_backward: backward,
    hysteresis,
    confidence: hysteresis === null ? meanQuality * SINGLE_DIRECTION_FACTOR : meanQuality,
    flags: [...flags],
    legs,
  };
}

/** The CNP of one leg: parabola vertex around the discrete minimum of y, or that minimum itself. */
function fitLeg(leg: SweepLeg, x: readonly number[], y: readonly number[], span: number, minCoverage: number): CnpLegResult {
  const xs = x.slice(leg.start, leg.end + 1);
  const ys = y.slice(leg.start, leg.end + 1);
  const coverage = (Math.max(...xs) - Math.min(...xs)) / span;
  const result: CnpLegResult = {
    direction: leg.direction === 1 ? "forward" : "backward", start: leg.start, end: leg.end, coverage, cnp: null, r2: null, fallback: false, shallow: false,
  };
  if (coverage < minCoverage || xs.length < MIN_LEG_POINTS) return result;

  const smooth = movingMedian(ys, LOCATE_MEDIAN_WIDTH);
  let best = 0;
  smooth.forEach((v, i) => { if (v < (smooth[best] ?? Infinity)) best = i; });
  if (best === 0 || best === xs.length - 1) return result;
  const bottom = smooth[best] ?? NaN;
  const shallow = Math.min(smooth[0] ?? NaN, smooth.at(-1) ?? NaN) - bottom < SHALLOW_RISE * (Math.max(...smooth) - bottom);

  const half = Math.max(MIN_HALF_WINDOW, Math.round(HALF_WINDOW_FRACTION * xs.length));
  const from = Math.max(0, best - half);
  const wx = xs.slice(from, best + half + 1);
  const fit = fitParabola(wx, ys.slice(from, best + half + 1));
  const vertex = fit !== null && fit.c > 0 ? -fit.b / (2 * fit.c) : NaN;
  if (fit !== null && vertex >= Math.min(...wx) && vertex <= Math.max(...wx)) {
    return { ...result, cnp: vertex, r2: fit.r2, shallow };
  }
  return { ...result, cnp: xs[best] ?? null, fallback: true, shallow };
}
