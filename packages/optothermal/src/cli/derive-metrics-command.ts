import type { Command as Program } from "commander";
import { formatTable, wholeNumber, type Output } from "@pipewright/cli";
import { ValidationError } from "pipewright";
import { DEFAULT_DERIVED_DIR, DEFAULT_STALE_THRESHOLD_HOURS, deriveAllMetrics, type DeriveMetricsSummary } from "../derived/derive-all-metrics.js";
import { DEFAULT_METRIC_PROCEDURES } from "../derived/run-extractors.js";
import { DEFAULT_HISTORIES_DIR, DEFAULT_MANIFEST_PATH } from "../histories/build-histories.js";
import type { LabContext } from "./lab-context.js";

interface DeriveMetricsCommandOptions {
  procedures: string[];
  group?: string;
  workers: number;
  force: boolean;
  staleThreshold: number;
  manifestPath: string;
  historiesDir: string;
  outputDir: string;
}

/** `--procedures IVg,It`: names separated by commas (checked against the known procedures by `deriveAllMetrics`). */
function procedureList(value: string): string[] {
  return value.split(",").map((p) => p.trim()).filter((p) => p !== "");
}

/** `--stale-threshold HOURS`: a number of hours ≥ 0, fractions allowed. */
function hours(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new ValidationError(`Expected --stale-threshold to be a number of hours ≥ 0, got \`${value}\``);
  return n;
}

/** What `derive-all-metrics` prints: runs by procedure, calibration matches by status, failures, where the files are. */
export function formatMetricsSummary(summary: DeriveMetricsSummary, output: Output): string {
  const c = output.colors;
  const lines = [
    `${c.bold("Metrics")} of ${summary.runsProcessed} run(s), ${summary.runsSkipped} up to date, ${summary.runsFailed} failed ` +
      c.dim(`(${summary.metricsWritten} row(s) written; ${(summary.elapsedMs / 1000).toFixed(1)} s${summary.aborted ? ", stopped before the end" : ""})`),
  ];
  const procedures = Object.entries(summary.byProcedure).sort(([a], [b]) => a.localeCompare(b));
  const table = formatTable(
    [{ header: "procedure" }, { header: "measured", align: "right" }, { header: "up to date", align: "right" }, { header: "failed", align: "right" }],
    procedures.map(([name, n]) => [name, String(n.processed), String(n.skipped), n.failed > 0 ? { text: String(n.failed), style: c.yellow } : "0"]),
    c,
  );
  lines.push(table.header, ...table.rows);
  const light = Object.values(summary.calibration).reduce((a, b) => a + b, 0);
  if (light > 0) {
    const statuses = Object.entries(summary.calibration).map(([status, n]) => `${n} ${status}`).join(", ");
    lines.push(`Calibration of ${light} light run(s): ${statuses} ` + c.dim(`(${summary.calibrationUpdated} match(es) new or changed)`));
  }
  if (summary.failures.length > 0) {
    lines.push(c.yellow(`Failed (${summary.failures.length}), recorded as extraction_failed rows and tried again next time:`));
    for (const failure of summary.failures) lines.push(`  ${failure.reason}`);
  }
  for (const warning of summary.warnings) lines.push(c.yellow(`warning: ${warning}`));
  lines.push(`Metrics: ${summary.metricsPath} (${summary.metricsRows} rows)`);
  if (summary.enrichedHistories.length > 0) lines.push(`Enriched histories (${summary.enrichedHistories.length}):`, ...summary.enrichedHistories.map((p) => `  ${p}`));
  return `${lines.join("\n")}\n`;
}

/** Registers `derive-all-metrics` on the process-and-analyze program. */
export function registerDeriveMetrics(program: Program, context: LabContext): void {
  program
    .command("derive-all-metrics")
    .description("Measure every staged run (CNP, photoresponse, irradiated power) into one metrics Parquet, and enrich the chip histories")
    .option("--procedures <list>", "procedures to measure, separated by commas", procedureList, [...DEFAULT_METRIC_PROCEDURES])
    .option("--group <name>", "only the runs of this chip group")
    .option("--workers <n>", "runs read in parallel", wholeNumber("--workers", 1), 2)
    .option("--force", "measure again the runs whose metrics are up to date", false)
    .option("--stale-threshold <hours>", "a calibration older than this before a light run is stale", hours, DEFAULT_STALE_THRESHOLD_HOURS)
    .option("--manifest-path <file>", "the manifest stage-all wrote", DEFAULT_MANIFEST_PATH)
    .option("--histories-dir <dir>", "the chip histories build-all-histories wrote", DEFAULT_HISTORIES_DIR)
    .option("--output-dir <dir>", "where _metrics/metrics.parquet and chip_histories_enriched/ go", DEFAULT_DERIVED_DIR)
    .addHelpText("after", "\nExamples:\n  $ process-and-analyze derive-all-metrics\n  $ process-and-analyze derive-all-metrics --group Alisson --procedures IVg,It --workers 4 --force")
    .action(async (options: DeriveMetricsCommandOptions) => {
      // Ctrl-C stops taking new runs; the metrics extracted so far are written, and the next run goes on from there.
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      let summary: DeriveMetricsSummary;
      try {
        summary = await deriveAllMetrics({
          manifestPath: options.manifestPath,
          historiesDir: options.historiesDir,
          outputDir: options.outputDir,
          procedures: options.procedures,
          group: options.group,
          workers: options.workers,
          force: options.force,
          staleThresholdHours: options.staleThreshold,
          signal: stop.signal,
          // The summary lists the warnings.
          onWarning: () => undefined,
        });
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
      context.output.out(formatMetricsSummary(summary, context.output));
      if (summary.aborted) {
        context.output.err("Interrupted: the metrics extracted so far are written; run the same command again to measure the rest.\n");
        context.exit(130);
      }
    });
}
