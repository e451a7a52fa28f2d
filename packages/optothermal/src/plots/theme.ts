import type { Config } from "vega-lite";

/** DejaVu Sans first: installed with the renderer's system fonts and has µ, λ, Δ and the arrows. */
export const PLOT_FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";
/** The data rectangle in pixels; the PNG is rendered at `PNG_SCALE` times the SVG's size. */
export const PLOT_WIDTH = 560;
export const PLOT_HEIGHT = 360;
export const PNG_SCALE = 2;

/** The one style every figure shares: framed axes with ticks, light grid, readable sizes. */
export const PUBLICATION_CONFIG: Config = {
  font: PLOT_FONT,
  background: "white",
  padding: 16,
  view: { stroke: "#222222", strokeWidth: 1 },
  axis: {
    labelFontSize: 13,
    titleFontSize: 15,
    titleFontWeight: "normal",
    titleColor: "#111111",
    titlePadding: 10,
    labelColor: "#222222",
    domainColor: "#222222",
    tickColor: "#222222",
    tickSize: 5,
    // A framed box without grid: grid lines would be drawn over the frame's top and right edges.
    grid: false,
    labelFlush: false,
  },
  legend: {
    labelFontSize: 12,
    titleFontSize: 13,
    titleFontWeight: "bold",
    // No truncation: the renderer cannot measure text, so its estimate would cut labels short.
    labelLimit: 0,
    titleLimit: 0,
    symbolStrokeWidth: 2.5,
    symbolSize: 120,
    symbolOpacity: 1,
    rowPadding: 4,
  },
  title: { fontSize: 16, fontWeight: "bold", anchor: "start", offset: 12, subtitleFontSize: 13, subtitleColor: "#555555", subtitlePadding: 6 },
  line: { strokeWidth: 1.8 },
  point: { size: 55, filled: true, opacity: 1, strokeWidth: 1.5 },
};

const ILLUMINATION_COLORS = { dark: "#222222", light: "#e6550d" };
/** Dark solid, light dashed: light and dark stay apart in grey print too. */
const ILLUMINATION_DASHES = { dark: [1, 0], light: [6, 3] };

/**
 * Dark runs in near-black and light runs in orange, everywhere; the legend lists only what is drawn.
 * @example illuminationColors(["dark"]) // { domain: ["dark"], range: ["#222222"] }
 */
export function illuminationColors(present: Iterable<"light" | "dark">): { domain: string[]; range: string[] } {
  const domain = (["dark", "light"] as const).filter((k) => new Set(present).has(k));
  return { domain, range: domain.map((k) => ILLUMINATION_COLORS[k]) };
}

/**
 * Dark solid, light dashed, for the runs drawn.
 * @example illuminationDashes(["dark", "light"]).range // [[1, 0], [6, 3]]
 */
export function illuminationDashes(present: Iterable<"light" | "dark">): { domain: string[]; range: number[][] } {
  const domain = (["dark", "light"] as const).filter((k) => new Set(present).has(k));
  return { domain, range: domain.map((k) => ILLUMINATION_DASHES[k]) };
}

/** Distinct colours for up to ten runs (Tableau 10, colour-blind aware and print safe). */
export const SEQUENCE_COLORS = ["#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#5f5f5f"];

/**
 * A colour for a laser wavelength that reads as that part of the spectrum, darkened enough to see on
 * white; outside the visible range (UV, IR) it clamps to violet or deep red.
 * @example wavelengthColor(625) // "#d43d1a"-like red
 */
export function wavelengthColor(nm: number): string {
  const stops: readonly (readonly [number, string])[] = [
    [360, "#4a148c"], [390, "#ab47bc"], [420, "#3949ab"], [470, "#1f77b4"], [500, "#118c8c"], [530, "#2e9e3a"],
    [570, "#8a9a12"], [590, "#d08a00"], [620, "#e0531a"], [660, "#b81d24"], [720, "#6e0f16"],
  ];
  const first = stops[0];
  const last = stops[stops.length - 1];
  if (first === undefined || last === undefined || nm <= first[0]) return first?.[1] ?? "#000000";
  if (nm >= last[0]) return last[1];
  const upper = stops.findIndex(([at]) => at >= nm);
  const [a, ca] = stops[upper - 1] ?? first;
  const [b, cb] = stops[upper] ?? last;
  return mix(ca, cb, (nm - a) / (b - a));
}

function mix(from: string, to: string, t: number): string {
  const channel = (hex: string, i: number) => parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  const parts = [0, 1, 2].map((i) => Math.round(channel(from, i) + (channel(to, i) - channel(from, i)) * t));
  return `#${parts.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}
