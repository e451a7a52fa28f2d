// Tick intervals a reader counts in: 1-2-5 below a second, then clock-like steps.
const STEPS = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
  10800, 21600, 43200, 86400,
];

/** Tick positions (seconds) for an axis of `span` seconds: about `target` of them, at a round interval. */
export function axisTicks(span: number, target = 8): { interval: number; ticks: number[] } {
  const interval = STEPS.find((s) => span / s <= target) ?? Math.ceil(span / target / 86400) * 86400;
  const ticks: number[] = [];
  for (let i = 0; i * interval <= span + 1e-9; i++) ticks.push(i * interval);
  return { interval, ticks };
}

/** A tick's label: "250 ms", "1.5 s", "2:30", "1:00:00" — as precise as the interval. */
export function tickLabel(seconds: number, interval: number): string {
  if (seconds === 0) return "0";
  if (interval < 1 && seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (interval < 60 && seconds < 60) return `${+seconds.toFixed(interval < 1 ? 3 : 0)} s`;
  const total = Math.round(seconds);
  const mm = String(Math.floor(total / 60) % 60);
  const ss = String(total % 60).padStart(2, "0");
  return total < 3600 ? `${mm}:${ss}` : `${Math.floor(total / 3600)}:${mm.padStart(2, "0")}:${ss}`;
}
