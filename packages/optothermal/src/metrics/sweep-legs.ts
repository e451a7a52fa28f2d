/** One monotonic run of a gate sweep: indices `start`..`end` (inclusive) into the swept values. */
export interface SweepLeg {
  /** +1 when the gate increases (forward), −1 when it decreases (backward). */
  direction: 1 | -1;
  start: number;
  end: number;
}

/**
 * Splits a sweep into one-direction legs. A turn is confirmed only once the sweep has come back
 * more than `tolerance` from its running extreme, so jitter smaller than that does not cut a leg;
 * the turning point (the extreme) ends one leg and starts the next.
 * @example splitSweepLegs([0, -1, -2, -1, 0, 1, 2], 0.1) // [{ direction: -1, start: 0, end: 2 }, { direction: 1, start: 2, end: 6 }]
 */
export function splitSweepLegs(vg: readonly number[], tolerance: number): SweepLeg[] {
  const at = (i: number): number => vg[i] ?? NaN;
  const legs: SweepLeg[] = [];
  let start = 0;
  let direction: 0 | 1 | -1 = 0;
  let extreme = 0;
  for (let i = 1; i < vg.length; i++) {
    if (direction === 0) {
      const moved = at(i) - at(start);
      if (Math.abs(moved) > tolerance) {
        direction = moved > 0 ? 1 : -1;
        extreme = i;
      }
      continue;
    }
    if ((at(i) - at(extreme)) * direction >= 0) {
      extreme = i;
    } else if ((at(extreme) - at(i)) * direction > tolerance) {
      legs.push({ direction, start, end: extreme });
      start = extreme;
      direction = direction === 1 ? -1 : 1;
      extreme = i;
      // The new leg's extreme so far may lie between the turn and i (jitter just after the turn).
      for (let k = start + 1; k < i; k++) if ((at(k) - at(extreme)) * direction > 0) extreme = k;
    }
  }
  if (direction !== 0) legs.push({ direction, start, end: vg.length - 1 });
  return legs;
}
