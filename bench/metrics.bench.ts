/**
 * Optothermal metrics benchmark: how fast does `deriveAllMetrics` measure staged runs, compared with
 * DuckDB alone reading the same runs' Parquet?
 *
 * 1. Generates a demo corpus (6 chips × 5 days: IVg, It and LaserCalibration runs in the lab's raw
 *    format), stages it and builds the chip histories once, outside the timing.
 * 2. `deriveAllMetrics` with `force` (every run measured: read, CNP or photoresponse, calibration match,
 *    metrics file merged and written, histories enriched), 1 and 2 workers, a fresh output folder each time.
 * 3. The baseline: one DuckDB instance with 1 or 2 connections, each taking the next run and reading the
 *    columns `deriveAllMetrics` reads (`SELECT cols FROM read_parquet(file)` into JS arrays), for the
 *    same runs and calibrations; nothing else.
 * 4. For the breakdown: the extraction algorithms alone over the data already in memory, and a second,
 *    incremental call (every run up to date).
 *
 * Baseline and `deriveAllMetrics` run in turns (`timeAlternating`), medians reported. No throughput target
 * is set (the issue asks for the figures): the Check lines are about correctness (every run measured,
 * none failed, a second call skips them all). Prints a plain-text report, then the figures as Markdown
 * between `--- markdown ---` lines. Exits 0 even when a check fails: it is a report.
 *
 *   npx tsx bench/metrics.bench.ts
 */
import { mkdtemp, rm } from "node:fs/promises";
import { arch, cpus, loadavg, platform, tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { generateDemoData } from "../packages/optothermal/src/demo/generate.js";
import { deriveAllMetrics, RUN_EXTRACTORS, type DeriveMetricsSummary } from "../packages/optothermal/src/derived/index.js";
import { readRunColumns } from "../packages/optothermal/src/derived/read-run-columns.js";
import { buildAllHistories } from "../packages/optothermal/src/histories/build-histories.js";
import { readManifest, type ManifestRow } from "../packages/optothermal/src/staging/manifest.js";
import { stageAll } from "../packages/optothermal/src/staging/stage-all.js";
import { collectGarbage, markdownTable, num, peakRssMb, progress, targetLines, targetsMarkdown, textTable, timeAlternating, timeIt, type Check, type Timing, closingLines } from "./measure.js";

const CORPUS = { chips: 6, days: 5, seed: 1 };
const WORKERS = [1, 2] as const;
const RUNS = 3;

/** A file the metrics read, with the columns read from it. */
interface Read {
  file: string;
  columns: readonly string[];
}

interface Row {
  workers: number;
  derive: Timing;
  baseline: Timing;
}

/** What `deriveAllMetrics` reads: each measured run's columns, then each calibration's curve. */
function readsOf(manifest: readonly ManifestRow[]): Read[] {
  const runs = manifest.flatMap((run) => {
    const extractor = RUN_EXTRACTORS[run.proc];
    return extractor === undefined ? [] : [{ file: run.parquet_path, columns: extractor.columns }];
  });
  const calibrations = manifest.filter((run) => run.proc === "LaserCalibration").map((run) => ({ file: run.parquet_path, columns: ["vl_v", "power_w"] }));
  return [...runs, ...calibrations];
}

/** DuckDB alone: each connection takes the next file and reads its columns into JS. */
async function runBaseline(reads: readonly Read[], workers: number): Promise<number> {
  const instance = await DuckDBInstance.create(":memory:");
  const connections: DuckDBConnection[] = [];
  let values = 0;
  try {
    for (let i = 0; i < workers; i++) connections.push(await instance.connect());
    let next = 0;
    const work = async (connection: DuckDBConnection): Promise<void> => {
      for (let i = next++; i < reads.length; i = next++) {
        const read = reads[i] as Read;
        const reader = await connection.runAndReadAll(`SELECT ${read.columns.map((c) => `"${c}"`).join(", ")} FROM read_parquet('${read.file.replaceAll("'", "''")}')`);
        values += reader.getColumnsJS().reduce((n, column) => n + column.length, 0);
      }
    };
    await Promise.all(connections.map(work));
  } finally {
    for (const connection of connections) connection.closeSync();
    instance.closeSync();
  }
  return values;
}

async function duckdbVersion(): Promise<string> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const [row] = (await connection.runAndReadAll("SELECT version() AS v")).getRowObjectsJS();
    return typeof row?.v === "string" ? row.v : "?";
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), "optothermal-metrics-bench-"));
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log("Optothermal metrics benchmark");
  console.log(`Node ${process.version}, ${platform()} ${arch()}, ${cpus().length} × ${cpu}; DuckDB ${await duckdbVersion()}`);
  console.log(`Corpus, Parquet and metrics in ${dir} (removed at the end)`);
  const loadAtStart = loadavg()[0] ?? 0;
  console.log(`Load average (1 min) at start: ${num(loadAtStart, 2)}`);
  console.log("");

  const rows: Row[] = [];
  const checks: Check[] = [];
  let measured = 0;
  let reads: Read[] = [];
  let byProcedure = "";
  let extraction: Timing;
  let incremental: Timing;
  let last: DeriveMetricsSummary | undefined;
  try {
    progress(`corpus: ${CORPUS.chips} chips × ${CORPUS.days} days, staged and histories built (not timed)`);
    const raw = join(dir, "raw");
    const demo = await generateDemoData({ out: raw, ...CORPUS });
    for (const broken of demo.broken) await rm(join(raw, broken.path));
    const staged = await stageAll({ rawRoot: raw, stageRoot: join(dir, "stage"), workers: 2 });
    const historiesDir = join(dir, "histories");
    await buildAllHistories({ manifestPath: staged.manifestPath, outputDir: historiesDir });
    const manifest = await (async () => {
      const instance = await DuckDBInstance.create(":memory:");
      const connection = await instance.connect();
      try {
        return await readManifest(connection, staged.manifestPath);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    })();
    reads = readsOf(manifest);
    measured = manifest.filter((run) => RUN_EXTRACTORS[run.proc] !== undefined).length;
    byProcedure = Object.entries(demo.filesByProcedure).map(([p, n]) => `${p} ${n}`).join(", ");

    let pass = 0;
    const derive = (workers: number, force: boolean, outputDir = join(dir, `derived-${pass++}`)) =>
      deriveAllMetrics({ manifestPath: staged.manifestPath, historiesDir, outputDir, workers, force, onWarning: () => undefined });
    const dropOutput = async (summary: DeriveMetricsSummary): Promise<void> => {
      last = summary;
      await rm(join(summary.metricsPath, "..", ".."), { recursive: true, force: true });
    };
    for (const workers of WORKERS) {
      collectGarbage();
      progress(`deriveAllMetrics (force, fresh output) and the DuckDB read alone, ${workers} worker${workers === 1 ? "" : "s"}: ${measured} runs (median of ${RUNS}, in turns)`);
      const [deriveTiming, baseline] = await timeAlternating(
        { body: () => derive(workers, true), after: dropOutput },
        { body: () => runBaseline(reads, workers) },
        RUNS,
      );
      rows.push({ workers, derive: deriveTiming, baseline });
    }
    checks.push({
      target: "every run measured, none failed",
      goal: `${measured} runs`,
      measured: `${last?.runsProcessed ?? 0} measured, ${last?.runsFailed ?? 0} failed, ${last?.metricsRows ?? 0} metric rows`,
      ok: last?.runsProcessed === measured && last.runsFailed === 0,
    });

    progress("the extraction algorithms alone, over the data already in memory");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    const inMemory = await Promise.all(
      manifest.flatMap((run) => {
        const extractor = RUN_EXTRACTORS[run.proc];
        return extractor === undefined ? [] : [readRunColumns(connection, run.parquet_path, extractor.columns).then((data) => ({ run, extractor, data }))];
      }),
    );
    connection.closeSync();
    instance.closeSync();
    extraction = await timeIt(() => Promise.resolve(inMemory.map(({ run, extractor, data }) => extractor.extract(run, data))), { runs: RUNS });

    progress("an incremental call: every run up to date");
    const kept = join(dir, "derived-incremental");
    await derive(2, true, kept);
    let again: DeriveMetricsSummary | undefined;
    incremental = await timeIt(() => derive(2, false, kept), { runs: RUNS, after: (s) => void (again = s) });
    checks.push({
      target: "a second call skips every run and writes nothing",
      goal: `${measured} skipped, 0 rows written`,
      measured: `${again?.runsSkipped ?? 0} skipped, ${again?.metricsWritten ?? 0} rows written`,
      ok: again?.runsSkipped === measured && again.metricsWritten === 0,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const perS = (t: Timing, n: number) => n / (t.median / 1000);
  const ratio = (r: Row) => r.baseline.median / r.derive.median;
  const headers = ["workers", "deriveAllMetrics s", "runs/s", "DuckDB read s", "runs/s (read)", "derive / read throughput"];
  const tableRows = rows.map((r) => [
    String(r.workers), num(r.derive.median / 1000, 2), num(perS(r.derive, measured), 0), num(r.baseline.median / 1000, 2), num(perS(r.baseline, measured), 0), num(ratio(r), 2),
  ]);
  const out: string[] = [];
  const section = (title: string, body: string) => out.push(title, body, "");
  section(
    "Corpus (demo generator, staged once)",
    `${measured} runs measured (${byProcedure}); ${reads.length} Parquet files read per pass (the runs and the calibrations); ${CORPUS.chips} chips × ${CORPUS.days} days, seed ${CORPUS.seed}`,
  );
  section(`Throughput, median of ${RUNS} passes each, in turns; ratio = read time / deriveAllMetrics time`, textTable(headers, tableRows));
  section(
    "Breakdown",
    [
      `extraction algorithms alone (CNP, photoresponse; data in memory): ${num(extraction.median, 0)} ms for ${measured} runs (${num(perS(extraction, measured), 0)} runs/s)`,
      `incremental call, every run up to date (2 workers): ${num(incremental.median, 0)} ms (calibration matches re-evaluated, histories enriched)`,
    ].join("\n"),
  );
  section("Checks", targetLines(checks));
  out.push(`Peak RSS: ${num(peakRssMb(), 0)} MB.`);
  out.push(...closingLines(loadAtStart, checks, started));
  const md = [
    `Node ${process.version}, ${platform()} ${arch()}, ${cpus().length} × ${cpu}; load average ${num(loadAtStart, 1)}. ${measured} demo runs (${byProcedure}); median of ${RUNS}, in turns.` +
      " Baseline: DuckDB alone, `SELECT <the columns> FROM read_parquet(file)` into JS arrays for the same runs and calibrations.",
    "",
    markdownTable(
      ["Workers", "deriveAllMetrics runs/s", "DuckDB read runs/s", "derive / read"],
      rows.map((r) => [String(r.workers), num(perS(r.derive, measured), 0), num(perS(r.baseline, measured), 0), num(ratio(r), 2)]),
    ),
    "",
    targetsMarkdown(checks),
  ];
  out.push("--- markdown ---", ...md, "--- markdown ---");
  console.log(out.join("\n"));
}

await main();
