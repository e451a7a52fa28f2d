// Publication-style figures of the lab's data: Vega-Lite specs rendered to SVG or PNG on the server.
import type { ChipPlotOptions, PlotResult } from "./chip-plot.js";
import { plotCnpTime } from "./plot-cnp-time.js";
import { plotIts } from "./plot-its.js";
import { plotIvg } from "./plot-ivg.js";
import { plotPhotoresponse } from "./plot-photoresponse.js";

export { plotIvg, IVG_PLOT } from "./plot-ivg.js";
export { plotIts, ITS_PLOT } from "./plot-its.js";
export { plotCnpTime, CNP_TIME_PLOT } from "./plot-cnp-time.js";
export { plotPhotoresponse, PHOTORESPONSE_PLOT } from "./plot-photoresponse.js";
export { plotLaserCalibration, LASER_CALIBRATION_MAX_RUNS, type LaserCalibrationPlotOptions } from "./plot-laser-calibration.js";
export { plotFormat, type ChipPlotOptions, type PlotResult, type ChipPlotKind } from "./chip-plot.js";
export { renderSvg, svgToPng, renderPlot, PLOT_FORMATS, type PlotFormat } from "./render.js";
export { loadChipHistory, knownChips, type ChipHistory } from "./load-chip.js";
export { readChipMetrics, DEFAULT_METRICS_PATH, type ChipMetric } from "./load-metrics.js";
export { parseSeqList, formatSeqList } from "./seq-selection.js";
export { DEFAULT_PLOTS_DIR } from "./write-plot.js";

/** The plots of one chip by name, for `plot_chip_command` and `plot-*` commands. */
export const CHIP_PLOTS = {
  ivg: plotIvg,
  its: plotIts,
  "cnp-time": plotCnpTime,
  photoresponse: plotPhotoresponse,
} as const satisfies Record<string, (options: ChipPlotOptions) => Promise<PlotResult>>;

export type ChipPlotName = keyof typeof CHIP_PLOTS;
