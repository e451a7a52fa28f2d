/** y ≈ a + b·x + c·x², with the fit's coefficient of determination. */
export interface ParabolaFit {
  a: number;
  b: number;
  c: number;
  r2: number;
}

/**
 * Least-squares parabola through (x, y); null when the points cannot fix one (fewer than 3
 * distinct x). x is centred and scaled internally, so volts and amperes of any size are fine.
 * @example fitParabola([-1, 0, 1, 2], [1, 0, 1, 4]) // { a: 0, b: 0, c: 1, r2: 1 } (to rounding)
 */
export function fitParabola(x: readonly number[], y: readonly number[]): ParabolaFit | null {
  const n = Math.min(x.length, y.length);
  if (n < 3) return null;
  const mx = x.slice(0, n).reduce((s, v) => s + v, 0) / n;
  const sx = Math.max(...x.slice(0, n).map((v) => Math.abs(v - mx)));
  if (!(sx > 0)) return null;
  // Normal equations in u = (x − mx)/sx: sums of u^k and of y·u^k.
  const su = [0, 0, 0, 0, 0];
  const sy = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const u = ((x[i] ?? 0) - mx) / sx;
    const yi = y[i] ?? 0;
    for (let k = 0; k <= 4; k++) su[k] = (su[k] ?? 0) + u ** k;
    for (let k = 0; k <= 2; k++) sy[k] = (sy[k] ?? 0) + yi * u ** k;
  }
  const [s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0] = su;
  const [t0 = 0, t1 = 0, t2 = 0] = sy;
  const det = det3(s0, s1, s2, s1, s2, s3, s2, s3, s4);
  if (Math.abs(det) < 1e-12 * Math.max(1, s0 * s2 * s4)) return null;
  // Cramer's rule: p0 + p1·u + p2·u².
  const p0 = det3(t0, s1, s2, t1, s2, s3, t2, s3, s4) / det;
  const p1 = det3(s0, t0, s2, s1, t1, s3, s2, t2, s4) / det;
  const p2 = det3(s0, s1, t0, s1, s2, t1, s2, s3, t2) / det;
  const c = p2 / (sx * sx);
  const b = p1 / sx - 2 * c * mx;
  const a = p0 - (p1 / sx) * mx + c * mx * mx;

  const meanY = t0 / n;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const u = ((x[i] ?? 0) - mx) / sx;
    const yi = y[i] ?? 0;
    residual += (yi - (p0 + p1 * u + p2 * u * u)) ** 2;
    total += (yi - meanY) ** 2;
  }
  return { a, b, c, r2: total > 0 ? 1 - residual / total : 1 };
}

function det3(a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number): number {
  return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
}
