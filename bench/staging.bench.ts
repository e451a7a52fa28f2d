/**
 * Optothermal staging benchmark: how fast does `stageAll` turn raw lab CSVs into Parquet, compared
 * with DuckDB alone doing the bare conversion?
 *
 * 1. Generates a corpus in the lab's exact raw format with the demo generator (20 chips × 20 days:
 *    ≈ 2,000 files, ≈ 250 MB; It traces with a 290 s laser period, so ≈ 200 KB each) into a
 *    temporary folder, removed at the end. The few deliberately broken files the generator adds are
 *    removed, so that both sides convert exactly the same files.
 * 2. `stageAll` (header parsing, catalogue validation, run ids, quality flags, manifest, atomic
 *    writes) with 1 and 2 workers, each on a fresh stage root.
 * 3. The baseline: one DuckDB instance with 1 or 2 connections, each taking the next file, reading
 *    its first bytes for the `#Data:` line and the column names after it, and running
 *    `COPY (SELECT * FROM read_csv(file, skip = n, header = true, auto_detect = false, columns = {… all DOUBLE}))
 *    TO 'i.parquet' (FORMAT parquet, COMPRESSION zstd)` — the same compression `stageAll` writes;
 *    nothing else. Giving the columns spares DuckDB's dialect and type sniffing, which costs more than
 *    the conversion on files this small: the baseline with auto-detection is measured too, for
 *    information (1 connection), but the target is against the fast one.
 *
 * Baseline and `stageAll` run in turns (`timeAlternating`), two full passes each per worker count
 * (every pass converts the whole corpus; median reported), after an unmeasured warm-up on one day's files. Target: `stageAll` throughput at least
 * half the baseline's. Prints a plain-text report with a PASS/FAIL line, then the same figures as
 * Markdown between `--- markdown ---` lines (for README.md, between `<!-- bench:staging -->` markers).
 * Exits 0 even when the target fails: it is a report.
 *
 *   npx tsx bench/staging.bench.ts [--days N]   (N ≤ 20 makes a smaller corpus, for a quick look)
 */
import { open, readdir, rm, stat, mkdir, mkdtemp } from "node:fs/promises";
import { arch, cpus, loadavg, platform, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { Catalogue } from "../packages/optothermal/src/catalogue/catalogue-schema.js";
import { loadCatalogue } from "../packages/optothermal/src/catalogue/load-catalogue.js";
import { generateDemoData } from "../packages/optothermal/src/demo/generate.js";
import { stageAll } from "../packages/optothermal/src/staging/stage-all.js";
import { collectGarbage, markdownTable, num, peakRssMb, progress, targetLines, targetsMarkdown, textTable, timeAlternating, type Case, type Check, type Timing, closingLines } from "./measure.js";

const CORPUS = { chips: 20, days: 20, seed: 1, itPeriodS: 290, daysPerCall: 5, startDate: "2025-10-20" };
const WORKERS = [1, 2] as const;
/** Full passes over the corpus per side and worker count (median reported). */
const PASSES = 2;
const TARGET_RATIO = 0.5;
const MB = 1024 * 1024;

interface Corpus {
  root: string;
  files: string[];
  /** Bytes of each file, in the order of `files`. */
  sizes: number[];
  bytes: number;
  byProcedure: Record<string, { files: number; bytes: number }>;
  generationMs: number;
  /** Broken files the generator made, removed from the corpus. */
  removedBroken: number;
}

interface Pass {
  ms: number;
  files: number;
}

/** One worker count: full passes over the corpus, `stageAll` and the baseline in turns. Times in ms. */
interface Row {
  workers: number;
  stage: Timing;
  baseline: Timing;
}

// ---------------------------------------------------------------------------------------------
// The corpus

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A few days per call, so that the generator never holds the whole corpus in memory. */
async function makeCorpus(root: string, days: number): Promise<Corpus> {
  const start = performance.now();
  let removedBroken = 0;
  for (let first = 0; first < days; first += CORPUS.daysPerCall) {
    const count = Math.min(CORPUS.daysPerCall, days - first);
    const summary = await generateDemoData({
      out: root,
      chips: CORPUS.chips,
      days: count,
      seed: CORPUS.seed,
      startDate: addDays(CORPUS.startDate, first),
      itPeriodS: CORPUS.itPeriodS,
    });
    for (const broken of summary.broken) await rm(join(root, broken.path));
    removedBroken += summary.broken.length;
    progress(`corpus: ${first + count} of ${days} days written`);
  }
  const generationMs = performance.now() - start;
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && e.name.endsWith(".csv")).map((e) => join(e.parentPath, e.name)).sort();
  let bytes = 0;
  const sizes: number[] = [];
  const byProcedure: Corpus["byProcedure"] = {};
  for (const file of files) {
    const size = (await stat(file)).size;
    sizes.push(size);
    bytes += size;
    const procedure = /^(IVg|It|LaserCalibration)\d{4}-/.exec(relative(root, file).split("/").pop() ?? "")?.[1] ?? "other";
    const entry = (byProcedure[procedure] ??= { files: 0, bytes: 0 });
    entry.files++;
    entry.bytes += size;
  }
  return { root, files, sizes, bytes, byProcedure, generationMs, removedBroken };
}

// ---------------------------------------------------------------------------------------------
// The two sides

async function runStageAll(rawRoot: string, stageRoot: string, workers: number, catalogue: Catalogue, expected: number): Promise<Pass> {
  const start = performance.now();
  const summary = await stageAll({ rawRoot, stageRoot, workers, catalogue });
  const ms = performance.now() - start;
  if (summary.staged !== expected || summary.rejected !== 0) {
    throw new Error(`stageAll staged ${summary.staged} and rejected ${summary.rejected} of ${expected} files: ${summary.rejects[0]?.reason ?? ""}`);
  }
  return { ms, files: summary.staged };
}

const DATA_MARKER = Buffer.from("#Data:");

/** What a converter of this format must know before handing a file to DuckDB. */
interface TableStart {
  /** Lines before the table's column names (up to and including `#Data:`). */
  skip: number;
  columns: string[];
}

/**
 * Finds `#Data:` and the column names after it in the file's first bytes (what any converter of this
 * format must do); reads more only if the header is longer.
 */
async function tableStart(file: string, buffer: Buffer): Promise<TableStart> {
  const handle = await open(file, "r");
  try {
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      filled += bytesRead;
      const view = buffer.subarray(0, filled);
      const marker = view.indexOf(DATA_MARKER);
      const newline = marker === -1 ? -1 : view.indexOf(0x0a, marker);
      const end = newline === -1 ? -1 : view.indexOf(0x0a, newline + 1);
      if (end !== -1) {
        let skip = 0;
        for (let i = 0; i <= newline; i++) if (view[i] === 0x0a) skip++;
        return { skip, columns: view.toString("utf8", newline + 1, end).trim().split(",") };
      }
      if (bytesRead === 0 || filled === buffer.length) throw new Error(`${file}: no \`#Data:\` line and column names in its first ${filled} bytes`);
    }
  } finally {
    await handle.close();
  }
}

/**
 * The baseline's statement: the table read with the column names from the file and every column
 * DOUBLE (all of this format's columns are numbers), so DuckDB need not sniff the dialect and types.
 * With `detect`, DuckDB auto-detects them instead (slower: for information).
 */
function baselineCopy(file: string, out: string, table: TableStart, detect: boolean): string {
  const columns = `columns = {${table.columns.map((c) => `${sqlString(c)}: 'DOUBLE'`).join(", ")}}`;
  const options = detect ? "" : `, auto_detect = false, delim = ',', quote = '"', ${columns}`;
  return `COPY (SELECT * FROM read_csv(${sqlString(file)}, skip = ${table.skip}, header = true${options})) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd)`;
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** DuckDB alone: each connection takes the next file and copies its table to Parquet. */
async function runBaseline(files: string[], outRoot: string, workers: number, detect = false): Promise<Pass> {
  const start = performance.now();
  await mkdir(outRoot, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const connections: DuckDBConnection[] = [];
  let done = 0;
  try {
    for (let i = 0; i < workers; i++) connections.push(await instance.connect());
    let next = 0;
    const work = async (connection: DuckDBConnection): Promise<void> => {
      const buffer = Buffer.alloc(16 * 1024);
      for (let i = next++; i < files.length; i = next++) {
        const file = files[i] ?? "";
        const table = await tableStart(file, buffer);
        await connection.run(baselineCopy(file, join(outRoot, `${i}.parquet`), table, detect));
        done++;
      }
    };
    await Promise.all(connections.map(work));
  } finally {
    for (const connection of connections) connection.closeSync();
    instance.closeSync();
  }
  return { ms: performance.now() - start, files: done };
}

async function duckdbVersion(): Promise<string> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll("SELECT version() AS v");
    const version = reader.getRowObjectsJS()[0]?.v;
    return typeof version === "string" ? version : "?";
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

// ---------------------------------------------------------------------------------------------

function parseDays(argv: string[]): number {
  const at = argv.findIndex((a) => a === "--days" || a.startsWith("--days="));
  if (at === -1) return CORPUS.days;
  const text = argv[at]?.includes("=") ? argv[at]?.split("=")[1] : argv[at + 1];
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1 || days > CORPUS.days) throw new RangeError(`--days must be from 1 to ${CORPUS.days}, got ${text}`);
  return days;
}

async function main(): Promise<void> {
  const started = performance.now();
  const days = parseDays(process.argv.slice(2));
  const dir = await mkdtemp(join(tmpdir(), "optothermal-staging-bench-"));
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log("Optothermal staging benchmark");
  const duckdb = await duckdbVersion();
  console.log(`Node ${process.version}, ${platform()} ${arch()}, ${cpus().length} × ${cpu}; DuckDB ${duckdb}`);
  console.log(`Corpus and Parquet in ${dir} (removed at the end)`);
  const loadAtStart = loadavg()[0] ?? 0;
  console.log(`Load average (1 min) at start: ${num(loadAtStart, 2)}`);
  console.log("");

  let corpus: Corpus;
  const rows: Row[] = [];
  let warmupFiles = 0;
  let detected: Pass;
  let detectedBytes = 0;
  try {
    const rawRoot = join(dir, "raw");
    progress(`corpus: ${CORPUS.chips} chips × ${days} days, It laser period ${CORPUS.itPeriodS} s`);
    corpus = await makeCorpus(rawRoot, days);
    const catalogue = await loadCatalogue();

    // Warm-up (unmeasured): one day's files through both sides.
    const firstDay = join(rawRoot, CORPUS.startDate);
    const dayFiles = corpus.files.filter((f) => f.startsWith(`${firstDay}/`));
    warmupFiles = dayFiles.length;
    progress(`warm-up: ${dayFiles.length} files of ${CORPUS.startDate}, both sides (unmeasured)`);
    await runBaseline(dayFiles, join(dir, "warmup-baseline"), 2);
    await runStageAll(firstDay, join(dir, "warmup-stage"), 2, catalogue, dayFiles.length);
    await rm(join(dir, "warmup-baseline"), { recursive: true, force: true });
    await rm(join(dir, "warmup-stage"), { recursive: true, force: true });

    const expectAll = (what: string, pass: Pass) => {
      if (pass.files !== corpus.files.length) throw new Error(`${what} converted ${pass.files} of ${corpus.files.length} files`);
    };
    for (const workers of WORKERS) {
      collectGarbage();
      const plural = workers === 1 ? "" : "s";
      progress(`${workers} worker${plural}: stageAll (fresh stage root each time) and the baseline in turns, ${PASSES} full passes each over ${num(corpus.files.length)} files`);
      const out = { stage: join(dir, `stage-${workers}`), baseline: join(dir, `baseline-${workers}`) };
      const stageCase: Case<Pass> = {
        body: () => runStageAll(rawRoot, out.stage, workers, catalogue, corpus.files.length),
        after: (pass) => rm(out.stage, { recursive: true, force: true }).then(() => expectAll("stageAll", pass)),
      };
      const baselineCase: Case<Pass> = {
        body: () => runBaseline(corpus.files, out.baseline, workers),
        after: (pass) => rm(out.baseline, { recursive: true, force: true }).then(() => expectAll("the baseline", pass)),
      };
      const [stage, baseline] = await timeAlternating(stageCase, baselineCase, PASSES, 0);
      rows.push({ workers, stage, baseline });
    }
    collectGarbage();
    const detectedFiles = corpus.files.slice(0, Math.ceil(corpus.files.length / 4));
    detectedBytes = corpus.sizes.slice(0, detectedFiles.length).reduce((a, b) => a + b, 0);
    progress(`baseline with DuckDB's type auto-detection (for information), 1 connection: ${num(detectedFiles.length)} files`);
    detected = await runBaseline(detectedFiles, join(dir, "baseline-detect"), 1, true);
    await rm(join(dir, "baseline-detect"), { recursive: true, force: true });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const mbOf = (bytes: number) => bytes / MB;
  const filesPerS = (t: Timing) => corpus.files.length / (t.median / 1000);
  const mbPerS = (t: Timing) => mbOf(corpus.bytes) / (t.median / 1000);
  const ratio = (r: Row) => r.baseline.median / r.stage.median;
  const tableRows = rows.map((r) => [
    String(r.workers),
    r.stage.runs.map((ms) => num(ms / 1000, 1)).join(" / "),
    num(filesPerS(r.stage), 1),
    num(mbPerS(r.stage), 1),
    r.baseline.runs.map((ms) => num(ms / 1000, 1)).join(" / "),
    num(filesPerS(r.baseline), 1),
    num(mbPerS(r.baseline), 1),
    `${num(ratio(r), 2)}`,
  ]);
  const headers = ["workers", "stageAll passes, s", "stageAll files/s", "stageAll MB/s", "baseline passes, s", "baseline files/s", "baseline MB/s", "stageAll/baseline"];

  const worst = rows.reduce((w, r) => (ratio(r) < ratio(w) ? r : w), rows[0] as Row);
  const checks: Check[] = [
    {
      target: "stageAll throughput / DuckDB COPY alone (worst of 1 and 2 workers)",
      goal: `≥ ${num(TARGET_RATIO, 2)}`,
      measured: `${num(ratio(worst), 2)} (${rows.map((r) => `${r.workers} worker${r.workers === 1 ? "" : "s"}: ${num(ratio(r), 2)}`).join(", ")})`,
      ok: rows.every((r) => ratio(r) >= TARGET_RATIO),
    },
  ];

  const procedures = Object.entries(corpus.byProcedure)
    .map(([p, e]) => `${p} ${num(e.files)} (${num(e.bytes / e.files / 1024, 0)} KB avg)`)
    .join(", ");
  const out: string[] = [];
  const section = (title: string, body: string) => out.push(title, body, "");
  section(
    "Corpus (demo generator, the lab's raw format)",
    [
      `${num(corpus.files.length)} files, ${num(mbOf(corpus.bytes), 1)} MB (${num(corpus.bytes / corpus.files.length / 1024, 0)} KB per file on average): ${procedures}`,
      `${CORPUS.chips} chips × ${days} days, seed ${CORPUS.seed}, It laser period ${CORPUS.itPeriodS} s; ${corpus.removedBroken} deliberately broken files removed`,
      `generated in ${num(corpus.generationMs / 1000, 1)} s (${num(mbOf(corpus.bytes) / (corpus.generationMs / 1000), 1)} MB/s)`,
    ].join("\n"),
  );
  section(
    `Throughput: median of ${PASSES} full passes each, stageAll and baseline in turns, after an unmeasured warm-up on ${warmupFiles} files; MB = MiB of raw CSV; ratio = baseline time / stageAll time`,
    textTable(headers, tableRows),
  );
  const stageOne = rows.find((r) => r.workers === 1)?.stage;
  const detectedFilesPerS = detected.files / (detected.ms / 1000);
  out.push(
    `For information, the baseline letting DuckDB sniff the dialect and types (no \`columns\`), 1 connection, on the first ${num(detected.files)} files: ` +
      `${num(detectedFilesPerS, 1)} files/s, ${num(mbOf(detectedBytes) / (detected.ms / 1000), 1)} MB/s` +
      (stageOne ? `; stageAll with 1 worker does ${num(filesPerS(stageOne) / detectedFilesPerS, 2)}× that.` : "."),
    "",
  );
  section("Targets", targetLines(checks));
  out.push(`Peak RSS: ${num(peakRssMb(), 0)} MB.`);
  out.push(...closingLines(loadAtStart, checks, started));

  const md = [
    `Node ${process.version}, ${platform()} ${arch()}, ${cpus().length} × ${cpu}; load average ${num(loadAtStart, 1)}.` +
      ` ${num(corpus.files.length)} demo raw files, ${num(mbOf(corpus.bytes), 0)} MiB (${procedures}); median of ${PASSES} passes each, in turns.` +
      " Baseline: DuckDB alone, per file `COPY (SELECT * FROM read_csv(file, skip = n, header = true, auto_detect = false, columns = {… DOUBLE})) TO … (FORMAT parquet, COMPRESSION zstd)`.",
    "",
    markdownTable(
      ["Workers", "stageAll files/s", "stageAll MB/s", "Baseline files/s", "Baseline MB/s", "stageAll / baseline"],
      rows.map((r) => [String(r.workers), num(filesPerS(r.stage), 1), num(mbPerS(r.stage), 1), num(filesPerS(r.baseline), 1), num(mbPerS(r.baseline), 1), num(ratio(r), 2)]),
    ),
    "",
    targetsMarkdown(checks),
  ];
  out.push("--- markdown ---", ...md, "--- markdown ---");
  console.log(out.join("\n"));
}

await main();
