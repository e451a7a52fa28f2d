import { extractCnp, type CnpExtremum } from "../metrics/cnp.js";
import { extractPhotoresponse } from "../metrics/photoresponse.js";
import type { ManifestRow } from "../staging/manifest-row.js";
import type { MetricCategory, MetricDraft } from "./metric-row.js";

/** A staged run's data: one array per column read (NaN where the cell is empty). */
export type RunColumns = Record<string, readonly number[]>;

/** How the metrics of one procedure are measured from its staged columns. */
export interface RunExtractor {
  category: Exclude<MetricCategory, "calibration">;
  /** `extraction_method`: the algorithm, with the column it measures. */
  method: string;
  /** Raise it when a change of the algorithm should re-extract every run (without --force). */
  version: string;
  /** Staged column keys read (config/procedures.yml). */
  columns: readonly string[];
  extract(run: ManifestRow, data: RunColumns): MetricDraft[];
}

export const CNP_VERSION = "1.0.0";
export const PHOTORESPONSE_VERSION = "1.0.0";

/**
 * CNP of a gate sweep: `cnp_voltage` (JSON: both directions and the legs), `cnp_forward`,
 * `cnp_backward`, `hysteresis`, all in V with the sweep's flags and confidence.
 */
function cnpExtractor(signal: string, extremum: CnpExtremum): RunExtractor {
  return {
    category: "electrical",
    method: `extractCnp(${extremum} |${signal}|)`,
    version: CNP_VERSION,
    columns: ["vg_v", signal],
    extract(run, data) {
      // The programmed range catches a sweep aborted early even when its own span looks complete.
      const nominalRange = run.vg_start !== null && run.vg_end !== null ? ([run.vg_start, run.vg_end] as const) : undefined;
      const r = extractCnp(data.vg_v ?? [], data[signal] ?? [], { extremum, nominalRange });
      const legs = r.legs.map((leg) => ({
        direction: leg.direction, points: leg.end - leg.start + 1, coverage: leg.coverage, cnp: leg.cnp, r2: leg.r2, fallback: leg.fallback, shallow: leg.shallow,
      }));
      const common = { unit: "V", confidence: r.confidence, flags: r.flags };
      return [
        { ...common, metric_name: "cnp_voltage", value_float: r.cnp_voltage, value_json: JSON.stringify({ forward: r.cnp_forward, backward: r.cnp_backward, hysteresis: r.hysteresis, legs }) },
        { ...common, metric_name: "cnp_forward", value_float: r.cnp_forward, value_json: null },
        { ...common, metric_name: "cnp_backward", value_float: r.cnp_backward, value_json: null },
        { ...common, metric_name: "hysteresis", value_float: r.hysteresis, value_json: null },
      ];
    },
  };
}

/**
 * Photoresponse of a light-modulated trace (laser on where VL > 0.1 V): `delta_current` (JSON: on/off
 * ratio, cycles, dark level) in the signal's unit, `rise_time` and `fall_time` (10–90 %) in s. The
 * algorithm gives no quality measure, so confidence is null rather than an invented number.
 */
function photoresponseExtractor(signal: string, unit: string): RunExtractor {
  return {
    category: "photoresponse",
    method: `extractPhotoresponse(${signal})`,
    version: PHOTORESPONSE_VERSION,
    columns: ["t_s", signal, "vl_v"],
    extract(_run, data) {
      const r = extractPhotoresponse(data.t_s ?? [], data[signal] ?? [], data.vl_v ?? []);
      const common = { confidence: null, flags: r.flags };
      return [
        { ...common, metric_name: "delta_current", value_float: r.delta_current, unit, value_json: JSON.stringify({ on_off_ratio: r.on_off_ratio, n_cycles: r.n_cycles, dark_level: r.dark_level }) },
        { ...common, metric_name: "rise_time", value_float: r.rise_time, unit: "s", value_json: null },
        { ...common, metric_name: "fall_time", value_float: r.fall_time, unit: "s", value_json: null },
      ];
    },
  };
}

/**
 * The procedures with metrics, by name. IVgT and It2 have the columns of IVg and ITt, so they are
 * measured the same way (not in the default list: no such run in the lab's data yet).
 */
export const RUN_EXTRACTORS: Readonly<Record<string, RunExtractor>> = {
  IVg: cnpExtractor("i_a", "min"),
  IVgT: cnpExtractor("i_a", "min"),
  VVg: cnpExtractor("vds_v", "max"),
  It: photoresponseExtractor("i_a", "A"),
  ITt: photoresponseExtractor("i_a", "A"),
  It2: photoresponseExtractor("i_a", "A"),
  Vt: photoresponseExtractor("vds_v", "V"),
};

export const DEFAULT_METRIC_PROCEDURES = ["IVg", "VVg", "It", "ITt", "Vt"] as const;
