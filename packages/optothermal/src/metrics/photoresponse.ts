import { median, medianOrNull, movingMedian } from "./stats.js";

export type PhotoresponseFlag =
  /** The laser voltage never exceeds the on threshold. */
  | "no_light"
  /** The laser is on throughout: no dark level to subtract. */
  | "no_dark_reference"
  /** The signal drops under light: a valid result (seen in real traces), not an error. */
  | "negative_photoresponse";

export interface PhotoresponseOptions {
  /** Laser driver voltage above which the laser counts as on; default 0.1 V. */
  laserOnV?: number;
  /** Fraction of each segment's duration, at its end, whose median is the segment's level; default 0.1. */
  tailFraction?: number;
}

export interface PhotoresponseResult {
  /**
   * Light level minus dark level, median over cycles, in the signal's unit (A for It and ITt, V
   * for Vt). The dark level is the off levels before and after the pulse interpolated in time to
   * the on level's time, which cancels a linear drift.
   */
  delta_current: number | null;
  /** Light level / dark level, median over cycles. */
  on_off_ratio: number | null;
  /** 10–90 % of the step after the laser turns on (s), median over cycles. */
  rise_time: number | null;
  /** 90–10 % of the step after the laser turns off (s), median over cycles. */
  fall_time: number | null;
  /** On periods with a dark level beside them. */
  n_cycles: number;
  /** Median of the dark levels the cycles used. */
  dark_level: number | null;
  flags: PhotoresponseFlag[];
}

const DEFAULT_LASER_ON_V = 0.1;
const DEFAULT_TAIL_FRACTION = 0.1;
/** A tail shorter than this is too noisy; a shorter segment is used whole. */
const MIN_TAIL_POINTS = 3;
/**
 * Crossing times are read on a running median over this fraction of the segment (at least 5
 * samples): a median leaves a monotonic edge exactly as it is, but noise near the 90 % level,
 * where the edge is flat, would otherwise trigger the crossing early.
 */
const EDGE_MEDIAN_FRACTION = 0.02;
const MIN_EDGE_MEDIAN_WIDTH = 5;

interface Segment {
  on: boolean;
  /** Inclusive indices into the finite samples. */
  start: number;
  end: number;
  /** Median of the segment's tail, and the tail's mean time. */
  level: number;
  levelTime: number;
}

/**
 * Photoresponse of a light-modulated trace: It or ITt (t, I, VL) or Vt (t, VDS, VL). Samples with a
 * NaN are dropped. The trace is cut into laser-on and laser-off segments; each segment's level is
 * the median of its tail (the plateau once the response has settled), and each on segment with an
 * off segment beside it is one cycle.
 * @example
 * const r = extractPhotoresponse(t, current, vl);
 * r.delta_current // 2.1e-7 (A); r.rise_time // 8.3 (s); r.n_cycles // 1; r.flags // []
 */
export function extractPhotoresponse(
  t: readonly number[], signal: readonly number[], vl: readonly number[], options: PhotoresponseOptions = {},
): PhotoresponseResult {
  const onV = options.laserOnV ?? DEFAULT_LASER_ON_V;
  const tailFraction = options.tailFraction ?? DEFAULT_TAIL_FRACTION;
  const time: number[] = [];
  const y: number[] = [];
  const on: boolean[] = [];
  for (let i = 0; i < Math.min(t.length, signal.length, vl.length); i++) {
    const [ti = NaN, si = NaN, li = NaN] = [t[i], signal[i], vl[i]];
    if (Number.isFinite(ti) && Number.isFinite(si) && Number.isFinite(li)) {
      time.push(ti);
      y.push(si);
      on.push(li > onV);
    }
  }
  const segments = segment(time, y, on, tailFraction);
  const result: PhotoresponseResult = {
    delta_current: null, on_off_ratio: null, rise_time: null, fall_time: null, n_cycles: 0, dark_level: null, flags: [],
  };
  if (!segments.some((s) => s.on)) return { ...result, flags: ["no_light"] };
  if (!segments.some((s) => !s.on)) return { ...result, flags: ["no_dark_reference"] };

  const deltas: number[] = [];
  const ratios: number[] = [];
  const darks: number[] = [];
  const rises: (number | null)[] = [];
  const falls: (number | null)[] = [];
  segments.forEach((light, k) => {
    if (!light.on) return;
    // Segments alternate, so the neighbours of an on segment are off segments.
    const before = segments[k - 1];
    const after = segments[k + 1];
    const dark = darkAt(light.levelTime, before, after);
    if (dark === null) return;
    deltas.push(light.level - dark);
    darks.push(dark);
    if (dark !== 0) ratios.push(light.level / dark);
    if (before !== undefined) rises.push(stepTime(time, y, light.start, light.end, before.level, light.level));
    if (after !== undefined) falls.push(stepTime(time, y, after.start, after.end, light.level, after.level));
  });
  const delta = medianOrNull(deltas);
  return {
    delta_current: delta,
    on_off_ratio: medianOrNull(ratios),
    rise_time: medianOrNull(rises),
    fall_time: medianOrNull(falls),
    n_cycles: deltas.length,
    dark_level: medianOrNull(darks),
    flags: delta !== null && delta < 0 ? ["negative_photoresponse"] : [],
  };
}

/** Runs of equal laser state, each with its tail level. */
function segment(time: readonly number[], y: readonly number[], on: readonly boolean[], tailFraction: number): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  for (let i = 1; i <= on.length; i++) {
    if (i < on.length && on[i] === on[start]) continue;
    const end = i - 1;
    const t0 = time[start] ?? NaN;
    const t1 = time[end] ?? NaN;
    let tail = end;
    while (tail > start && ((time[tail - 1] ?? NaN) >= t1 - tailFraction * (t1 - t0) || end - tail + 1 < MIN_TAIL_POINTS)) tail--;
    const tailTimes = time.slice(tail, end + 1);
    segments.push({
      on: on[start] ?? false, start, end,
      level: median(y.slice(tail, end + 1)),
      levelTime: tailTimes.reduce((s, v) => s + v, 0) / tailTimes.length,
    });
    start = i;
  }
  return segments;
}

/** The dark level at time `at`: the off levels on either side interpolated linearly, or the one there is. */
function darkAt(at: number, before: Segment | undefined, after: Segment | undefined): number | null {
  if (before === undefined || after === undefined) return (before ?? after)?.level ?? null;
  const dt = after.levelTime - before.levelTime;
  if (!(dt > 0)) return (before.level + after.level) / 2;
  return before.level + ((after.level - before.level) * (at - before.levelTime)) / dt;
}

/**
 * 10 %–90 % transit time of the step from level `from` to level `to` in samples `start`..`end`,
 * starting from the last sample before the switch; null when the step is flat or never reaches 90 %.
 * Crossing times are interpolated between samples.
 */
function stepTime(time: readonly number[], y: readonly number[], start: number, end: number, from: number, to: number): number | null {
  if (to === from) return null;
  const width = Math.max(MIN_EDGE_MEDIAN_WIDTH, Math.round(EDGE_MEDIAN_FRACTION * (end - start + 1)));
  // As many samples before the switch keep the median of the last dark sample dark.
  const first = Math.max(0, start - width);
  const times = time.slice(first, end + 1);
  const progress = movingMedian(y.slice(first, end + 1), width).map((v) => (v - from) / (to - from));
  const t10 = crossing(times, progress, 0.1, Math.max(0, start - 1 - first));
  if (t10 === null) return null;
  const t90 = crossing(times, progress, 0.9, t10.index);
  return t90 === null ? null : t90.time - t10.time;
}

function crossing(times: readonly number[], progress: readonly number[], level: number, from: number): { time: number; index: number } | null {
  for (let i = from; i < progress.length; i++) {
    const p = progress[i] ?? NaN;
    if (p < level) continue;
    const pPrev = progress[i - 1] ?? NaN;
    const tPrev = times[i - 1] ?? NaN;
    const ti = times[i] ?? NaN;
    if (i === 0 || !(pPrev < level)) return { time: ti, index: i };
    return { time: tPrev + ((level - pPrev) / (p - pPrev)) * (ti - tPrev), index: i };
  }
  return null;
}
