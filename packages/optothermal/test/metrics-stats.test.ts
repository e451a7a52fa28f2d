import { expect, it } from "vitest";
import { movingMedian, median } from "../src/metrics/stats.js";
it("movingMedian equals the median of each window, NaNs left out", () => {
  let seed = 5;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let trial = 0; trial < 200; trial++) {
    const n = Math.floor(rnd() * 60);
    const values = Array.from({ length: n }, () => (rnd() < 0.1 ? NaN : Math.round(rnd() * 20)));
    const width = 1 + Math.floor(rnd() * 12);
    const half = Math.floor(width / 2);
    const slow = values.map((_, i) => median(values.slice(Math.max(0, i - half), i + half + 1)));
    expect(movingMedian(values, width)).toEqual(slow);
  }
});
