import path from "node:path";
import type { Colors } from "@pipewright/cli";
import type { PipelineResult } from "pipewright";
import type { DeriveMetricsSummary } from "../derived/derive-all-metrics.js";
import type { BuildHistoriesSummary } from "../histories/build-histories.js";
import type { StageAllSummary } from "../staging/stage-all.js";

/**
 * Where a lab pipeline's results are, from its steps' outputs: printed after a successful run so
 * that a person knows what to open next. Steps the pipeline does not have are left out.
 */
export function formatPipelineOutputs(result: PipelineResult, c: Colors): string {
  const output = <T>(step: string) => result.steps.find((s) => s.name === step)?.output as T | null | undefined;
  const where = (file: string) => path.relative(process.cwd(), file) || ".";
  const lines: string[] = [];
  const stage = output<StageAllSummary>("stage");
  if (stage) {
    lines.push(`  staged runs      ${where(path.dirname(path.dirname(stage.manifestPath)))}  (${stage.manifestRows} runs in the manifest)`);
    if (stage.rejected > 0) lines.push(`  rejected files   ${where(stage.rejectsPath)}  (${stage.rejected}, with the reason of each)`);
  }
  const histories = output<BuildHistoriesSummary>("histories");
  if (histories) lines.push(`  chip histories   ${where(histories.outputDir)}  (${histories.chips.map((chip) => chip.chip).join(", ") || "none"})`);
  const metrics = output<DeriveMetricsSummary>("metrics");
  if (metrics) {
    lines.push(`  metrics          ${where(metrics.metricsPath)}  (${metrics.metricsRows} rows)`);
    const enriched = metrics.enrichedHistories[0];
    if (enriched !== undefined) lines.push(`  enriched         ${where(path.dirname(enriched))}  (histories with a column per metric)`);
  }
  const plots = output<{ paths: string[] }>("plots");
  if (plots && plots.paths.length > 0) {
    const folders = [...new Set(plots.paths.map((file) => where(path.dirname(file))))];
    lines.push(`  plots            ${folders.length === 1 ? folders[0] : where(path.dirname(path.dirname(plots.paths[0] ?? "")))}  (${plots.paths.length} figures)`);
  }
  return lines.length > 0 ? `${c.bold("Outputs")}\n${lines.join("\n")}\n` : "";
}
