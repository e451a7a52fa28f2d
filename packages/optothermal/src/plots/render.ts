import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { PNG_SCALE, PUBLICATION_CONFIG } from "./theme.js";

export type PlotFormat = "svg" | "png";
export const PLOT_FORMATS: readonly PlotFormat[] = ["svg", "png"];

/**
 * A Vega-Lite spec as an SVG document, in the shared publication style (the spec's own `config`
 * overrides it). Rendered headless: no browser, no canvas.
 * @example (await renderSvg({ mark: "point", data: { values: [{ x: 1 }] }, encoding: { x: { field: "x" } } })).startsWith("<svg") // true
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const styled = { ...spec, config: { ...PUBLICATION_CONFIG, ...spec.config } } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(styled).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * An SVG document as a PNG, `PNG_SCALE` times its size (crisp in print and on high-density screens).
 * @example svgToPng(await renderSvg(spec)).subarray(1, 4).toString() // "PNG"
 */
export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: PNG_SCALE },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
    background: "white",
  });
  return resvg.render().asPng();
}

/**
 * A spec rendered in `format`: SVG text or PNG bytes.
 * @example await renderPlot(spec, "png") // <Buffer 89 50 4e 47 ...>
 */
export async function renderPlot(spec: TopLevelSpec, format: PlotFormat): Promise<string | Buffer> {
  const svg = await renderSvg(spec);
  return format === "svg" ? svg : svgToPng(svg);
}
