import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoData, loadCatalogue, parseDataRows, parseRawHeader, stageAll, type Catalogue, type StageAllSummary } from "../src/index.js";
import { createRng } from "../src/demo/prng.js";
import { queryRows as query } from "../src/staging/query-parquet.js";
import { sqlString as sqlPath } from "../src/staging/sql.js";
import { HUGE_KINDS, MUTATION_KINDS, mutate, variantRng, type MutationKind } from "./fuzz/raw-mutations.js";

// Hostile input: every raw file mutated by truncation, bit flips, wrong encodings, huge lines,
// missing header lines, ... is either staged or rejected with a reason naming it; the batch never
// throws, and what an earlier run staged stays as it was. Seeded: a failing variant is rebuilt from
// (SEED, source file, kind, n), and its file name says all four.
const SEED = 20251014;
const SOURCES = 24;
const VARIANTS_PER_KIND = 19; // × 24 ordinary kinds + 1 per huge kind ≈ 460 variants
const ROOT = fileURLToPath(new URL("../../../../shared/data/optothermal-raw/", import.meta.url));

interface Variant {
  file: string;
  kind: MutationKind;
  source: string;
}

interface ManifestEntry {
  run_id: string;
  source_path: string;
  parquet_path: string;
  rows: number;
}

async function listCsv(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".csv")).map((e) => path.join(e.parentPath, e.name)).sort();
}

async function sha256(file: string): Promise<string> {
  return createHash("sha256").update(await readFile(file)).digest("hex");
}

async function manifestOf(summary: StageAllSummary): Promise<ManifestEntry[]> {
  return (await query(`SELECT run_id, source_path, parquet_path, rows FROM read_parquet(${sqlPath(summary.manifestPath)})`)) as unknown as ManifestEntry[];
}

/** A reject reason as a category: its first problem, without paths, line numbers, quoted text and figures. */
function category(reason: string, file: string): string {
  return (reason.split(`; ${file}:`)[0] ?? "")
    .replace(`${file}: `, "")
    .replace(/^.*?:\d+(:\d+)?: /, "")
    .replace(/ as \/\S+/, " as <file>")
    .replace(/run [0-9a-f]{16}/, "run <id>")
    .replace(/`[^`]*`/g, "`…`")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, "N")
    .slice(0, 90);
}

describe("stageAll on fuzzed raw files (hostile input)", () => {
  let dir: string;
  let raw: string;
  let stage: string;
  let catalogue: Catalogue;
  let baseline: StageAllSummary;
  let baselineManifest: ManifestEntry[];
  const baselineHashes = new Map<string, string>();
  const variants: Variant[] = [];
  const summaries: StageAllSummary[] = [];
  let origin = "";
  let pending = "";

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "optothermal-fuzz-"));
    raw = path.join(dir, "01_raw");
    stage = path.join(dir, "02_stage");
    pending = path.join(dir, "pending");
    catalogue = await loadCatalogue();

    // A seeded sample of the real files; demo files when the real folder is absent.
    let pool: { file: string; name: string }[];
    // STAGING_FUZZ_DEMO=1 tries the demo fallback where the real folder exists.
    if (existsSync(ROOT) && process.env.STAGING_FUZZ_DEMO !== "1") {
      origin = "real";
      pool = (await listCsv(ROOT)).map((file) => ({ file, name: path.relative(ROOT, file) }));
    } else {
      origin = "demo";
      const demoRoot = path.join(dir, "demo");
      const demo = await generateDemoData({ out: demoRoot, chips: 2, days: 2, seed: 7 });
      pool = demo.files.map((f) => ({ file: path.join(demoRoot, f.path), name: f.path }));
    }
    const rng = createRng(SEED, "sample");
    const sample: typeof pool = [];
    while (sample.length < Math.min(SOURCES, pool.length)) sample.push(...pool.splice(Math.floor(rng.next() * pool.length), 1));
    for (const s of sample) {
      const target = path.join(raw, "base", s.name);
      await mkdir(path.dirname(target), { recursive: true });
      await copyFile(s.file, target);
    }

    baseline = await stageAll({ rawRoot: raw, stageRoot: stage, catalogue, workers: 2 });
    baselineManifest = await manifestOf(baseline);
    for (const row of baselineManifest) baselineHashes.set(row.parquet_path, await sha256(row.parquet_path));

    // The variants: every kind from seeded sources, each a file of its own named by seed, kind, n and source.
    const sources = await listCsv(path.join(raw, "base"));
    const contents = new Map(await Promise.all(sources.map(async (s) => [s, await readFile(s)] as const)));
    for (const kind of MUTATION_KINDS) {
      const count = HUGE_KINDS.includes(kind) ? 1 : VARIANTS_PER_KIND;
      for (let n = 0; n < count; n++) {
        const source = sources[(n * 7 + MUTATION_KINDS.indexOf(kind)) % sources.length] ?? "";
        const bytes = mutate(contents.get(source) ?? Buffer.alloc(0), kind, variantRng(SEED, path.basename(source), kind, n));
        // Half the variants for a run with one worker, half for a run with two.
        const batch = n % 2 === 0 ? "w1" : "w2";
        const file = path.join(raw, "fuzz", batch, kind, `${SEED}-${kind}-${n}-${path.basename(source)}`);
        const pendingFile = path.join(pending, path.relative(raw, file));
        await mkdir(path.dirname(pendingFile), { recursive: true });
        await writeFile(pendingFile, bytes);
        variants.push({ file, kind, source });
      }
    }
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("stages the clean baseline", () => {
    expect(baseline.rejected + baseline.staged).toBe(Math.min(SOURCES, baseline.rejected + baseline.staged));
    expect(baseline.staged).toBeGreaterThan(0);
    expect(baselineManifest).toHaveLength(baseline.staged);
  });

  it("stages or rejects every mutant with a reason naming it, without throwing (workers 1 then 2), and keeps earlier outputs", async () => {
    const started = performance.now();
    // Into the stage root of the baseline: half the variants with one worker, then the other half
    // with two (the first half skipped or re-rejected), then everything again (nothing new).
    const arrive = (batch: string): Promise<void> => cp(path.join(pending, "fuzz", batch), path.join(raw, "fuzz", batch), { recursive: true, preserveTimestamps: true });
    await arrive("w1");
    summaries.push(await stageAll({ rawRoot: raw, stageRoot: stage, catalogue, workers: 1, checkpointEvery: 50 }));
    await arrive("w2");
    summaries.push(await stageAll({ rawRoot: raw, stageRoot: stage, catalogue, workers: 2 }));
    const seconds = (performance.now() - started) / 1000;
    summaries.push(await stageAll({ rawRoot: raw, stageRoot: stage, catalogue, workers: 2 }));
    const [first, second, third] = summaries as [StageAllSummary, StageAllSummary, StageAllSummary];
    const w1 = variants.filter((v) => v.file.includes(`${path.sep}w1${path.sep}`)).length;
    expect(first.staged + first.rejected).toBe(w1);
    expect(second.staged + second.rejected + second.skipped).toBe(variants.length + baseline.staged + baseline.rejected);

    const manifest = await manifestOf(third);
    const bySource = new Map(manifest.map((r) => [r.source_path, r]));
    const rejects = new Map(third.rejects.map((r) => [r.path, r.reason]));

    // Outcomes and figures.
    const byKind: Record<string, { staged: number; rejected: number }> = {};
    const reasons: Record<string, number> = {};
    for (const v of variants) {
      const staged = bySource.has(v.file);
      const reason = rejects.get(v.file);
      expect(staged || reason !== undefined, `${v.file}: neither staged nor rejected`).toBe(true);
      expect(staged && reason !== undefined, `${v.file}: both staged and rejected`).toBe(false);
      const entry = (byKind[v.kind] ??= { staged: 0, rejected: 0 });
      if (reason !== undefined) {
        entry.rejected++;
        expect(reason.trim(), `${v.file}: empty reason`).not.toBe("");
        expect(reason.startsWith(v.file), `${v.file}: reason does not name the file: ${reason.slice(0, 300)}`).toBe(true);
        // One readable line per problem: no megabytes of a huge line, no control characters.
        const longest = Math.max(...reason.split(`; ${v.file}:`).map((p) => p.length));
        expect(longest, `${v.file}: a problem of ${longest} characters in its reason`).toBeLessThan(v.file.length + 400);
        // eslint-disable-next-line no-control-regex
        expect(/[\u0000-\u0008\u000b-\u001f]/.test(reason), `${v.file}: control characters in ${JSON.stringify(reason.slice(0, 300))}`).toBe(false);
        const c = category(reason, v.file);
        reasons[c] = (reasons[c] ?? 0) + 1;
      } else entry.staged++;
    }
    const total = (k: "staged" | "rejected"): number => Object.values(byKind).reduce((a, b) => a + b[k], 0);
    console.info(
      `staging-fuzz: ${variants.length} variants of ${baseline.staged + baseline.rejected} ${origin} files (seed ${SEED}), ` +
        `${total("staged")} staged, ${total("rejected")} rejected, in ${seconds.toFixed(1)} s (workers 1, then 2)`,
    );
    console.info(`staging-fuzz: by kind (staged/rejected):\n${Object.entries(byKind).map(([k, o]) => `  ${k.padEnd(22)} ${o.staged}/${o.rejected}`).join("\n")}`);
    console.info(`staging-fuzz: reject reasons by category:\n${Object.entries(reasons).sort((a, b) => b[1] - a[1]).map(([c, n]) => `  ${String(n).padStart(4)}  ${c}`).join("\n")}`);

    // The third run only re-reports what the first two did.
    expect(third.staged).toBe(0);
    expect(third.rejected).toBe(second.rejected);
    expect(third.skipped).toBe(second.staged + second.skipped);

    // Earlier outputs intact: the baseline runs still in the manifest, from their files, their Parquet bytes unchanged.
    for (const row of baselineManifest) {
      expect(manifest.find((r) => r.run_id === row.run_id)).toEqual(row);
      expect(await sha256(row.parquet_path), row.parquet_path).toBe(baselineHashes.get(row.parquet_path));
    }
    // No temporary file left behind.
    const leftovers = (await readdir(stage, { recursive: true })).filter((f) => f.endsWith(".tmp"));
    expect(leftovers).toEqual([]);
  }, 120_000);

  it("gives every staged mutant a readable Parquet with the manifest's row count, that the raw reader reads too", async () => {
    const last = summaries[2];
    if (last === undefined) return;
    const manifest = await manifestOf(last);
    const mutants = manifest.filter((r) => r.source_path.includes(`${path.sep}fuzz${path.sep}`));
    const counts = await query(
      `SELECT filename, count(*)::BIGINT AS n FROM read_parquet([${mutants.map((r) => sqlPath(r.parquet_path)).join(", ") || "''"}], filename = true, union_by_name = true) GROUP BY filename`,
    ).catch(async () => {
      // One at a time, to name the unreadable file.
      const rows: Record<string, unknown>[] = [];
      for (const r of mutants) rows.push(...(await query(`SELECT ${sqlPath(r.parquet_path)} AS filename, count(*)::BIGINT AS n FROM read_parquet(${sqlPath(r.parquet_path)})`)));
      return rows;
    });
    const byFile = new Map(counts.map((c) => [String(c.filename), Number(c.n)]));
    for (const r of mutants) {
      // A run with no rows writes a Parquet file with none: absent from the GROUP BY.
      expect(byFile.get(r.parquet_path) ?? 0, r.source_path).toBe(r.rows);
      // Not garbage: the raw reader (stricter than DuckDB's CSV reader) agrees on the table.
      const bytes = await readFile(r.source_path);
      const parsed = parseDataRows(bytes, parseRawHeader(bytes, r.source_path), catalogue);
      expect(parsed.problem?.message ?? null, r.source_path).toBeNull();
      expect(parsed.rows.length, r.source_path).toBe(r.rows);
    }
  }, 60_000);
});

// The bugs the fuzzer found, each with the bytes that showed it (seed 20251014 on the real files;
// rebuilt here from a demo IVg file, so that they run without the real folder).
describe("staging regressions found by fuzzing", () => {
  let dir: string;
  let catalogue: Catalogue;
  let ivg: Buffer;
  let n = 0;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "optothermal-fuzz-regress-"));
    catalogue = await loadCatalogue();
    const demo = await generateDemoData({ out: path.join(dir, "demo"), chips: 1, days: 1, seed: 5 });
    const file = demo.files.find((f) => f.procedure === "IVg");
    ivg = await readFile(path.join(dir, "demo", file?.path ?? ""));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Stages `files` (name → bytes) into a fresh raw root and stage root. */
  async function stage(files: Record<string, Buffer | string>, stageRoot = path.join(dir, `stage-${++n}`)): Promise<{ summary: StageAllSummary; raw: string }> {
    const raw = path.join(dir, `raw-${++n}`);
    await mkdir(raw, { recursive: true });
    for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(raw, name), bytes);
    return { summary: await stageAll({ rawRoot: raw, stageRoot, catalogue, workers: 2 }), raw };
  }

  it("rejects rows with extra empty cells, which DuckDB reads (huge-line-no-newline 0, a line of 1 MB of commas)", async () => {
    const text = ivg.toString("utf8");
    const { summary, raw } = await stage({
      "commas.csv": `${text},,,,,,,,,,`,
      "trailing.csv": `${text.trimEnd()},,\r\n`,
      "underscore.csv": text.replace(/(#Data:\r?\n[^\n]*\n[^,]*,)[^,]*/, "$11_000"),
    });
    expect(summary.staged).toBe(0);
    const reason = (name: string): string => summary.rejects.find((r) => r.path === path.join(raw, name))?.reason ?? "";
    expect(reason("commas.csv")).toMatch(/commas\.csv:\d+: expected \d+ cells, found 11$/);
    expect(reason("trailing.csv")).toMatch(/trailing\.csv:\d+: expected \d+ cells, found \d+$/);
    expect(reason("underscore.csv")).toMatch(/underscore\.csv:\d+:2: column `I \(A\)`: `1_000` is not a number$/);
  });

  it("does not stage a file with another header over a staged run with the same data (latin1-non-ascii 9, bit-flips)", async () => {
    const stageRoot = path.join(dir, "same-run");
    const first = await stage({ "original.csv": ivg }, stageRoot);
    expect(first.summary.staged).toBe(1);
    const [row] = await query(`SELECT parquet_path FROM read_parquet(${sqlPath(first.summary.manifestPath)})`);
    const before = await sha256(String(row?.parquet_path));
    // A flipped bit in an optional column's name (`Plate T` → `Plate U`): same run id, other columns.
    const renamed = Buffer.from(ivg.toString("utf8").replace("Plate T (degC)", "Plate U (degC)"), "utf8");
    const copyRaw = path.join(dir, "same-run-raw");
    await mkdir(copyRaw, { recursive: true });
    await copyFile(path.join(first.raw, "original.csv"), path.join(copyRaw, "original.csv"));
    await writeFile(path.join(copyRaw, "renamed.csv"), renamed);
    await writeFile(path.join(copyRaw, "copy.csv"), ivg);
    await rm(path.join(first.raw, "original.csv"));
    // The original moved here: the first of it and its copy takes the run over (its file is gone), the other is a copy.
    const second = await stageAll({ rawRoot: copyRaw, stageRoot, catalogue, workers: 1 });
    expect(second).toMatchObject({ staged: 1, skipped: 1, rejected: 1, manifestRows: 1 });
    expect(second.rejects[0]?.reason).toMatch(/renamed\.csv: the same run .* as .*(original|copy)\.csv, but its header differs: not staged over it$/);
    expect(await sha256(String(row?.parquet_path))).toBe(before);
  });

  it("leaves an exact copy of a staged file alone, run after run: the run stays with its first file", async () => {
    const stageRoot = path.join(dir, "copies");
    const first = await stage({ "a.csv": ivg, "b.csv": ivg }, stageRoot);
    expect(first.summary).toMatchObject({ staged: 1, skipped: 1, rejected: 0, manifestRows: 1 });
    const owner = async () => (await query(`SELECT source_path FROM read_parquet(${sqlPath(first.summary.manifestPath)})`)).map((r) => String(r.source_path));
    const before = await owner();
    for (let run = 0; run < 2; run++) {
      const again = await stageAll({ rawRoot: first.raw, stageRoot, catalogue, workers: 2 });
      expect(again).toMatchObject({ staged: 0, skipped: 2, rejected: 0, manifestRows: 1 });
      expect(await owner()).toEqual(before);
    }
  });

  it("says what is wrong with a UTF-16 or NUL-damaged file (utf16le, utf16le-bom, nul-bytes), and an empty one", async () => {
    const text = ivg.toString("utf8");
    const { summary, raw } = await stage({
      "empty.csv": "",
      "bom.csv": Buffer.from([0xef, 0xbb, 0xbf]),
      "utf16.csv": Buffer.from(text, "utf16le"),
      "utf16-bom.csv": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
      "nul.csv": text.replace("#Parameters:", "#Param\u0000eters:"),
    });
    const reason = (name: string): string => summary.rejects.find((r) => r.path === path.join(raw, name))?.reason ?? "";
    expect(reason("empty.csv")).toMatch(/empty\.csv:1: no `#Procedure:` line; .*empty\.csv:0: the header ends without a `#Data:` line/);
    expect(reason("bom.csv")).toMatch(/bom\.csv:1: no `#Procedure:` line; .*bom\.csv:0: the header ends without a `#Data:` line/);
    expect(reason("utf16.csv")).toMatch(/utf16\.csv:1: the file is UTF-16 text, not UTF-8/);
    expect(reason("utf16-bom.csv")).toMatch(/utf16-bom\.csv:1: the file is UTF-16 text, not UTF-8/);
    expect(reason("nul.csv")).toMatch(/nul\.csv:1: a NUL byte at byte \d+ in the header/);
  });

  it("quotes a huge header line by its start and writes control characters as \\xNN (huge-header-line, bit-flips 2)", async () => {
    const text = ivg.toString("utf8");
    const { summary, raw } = await stage({
      "huge.csv": text.replace("#Metadata:", `#${"?".repeat(1 << 20)}\r\n#Metadata:`),
      "flipped.csv": text.replace(/(#Data:\r?\n[^\n]*\n[^,]*,[^,e]*e-)/, "$1\u0010"),
    });
    const reason = (name: string): string => summary.rejects.find((r) => r.path === path.join(raw, name))?.reason ?? "";
    expect(reason("huge.csv")).toMatch(/huge\.csv:\d+: expected `#<TAB>Name: value` under `#Parameters:` or `#Metadata:`, found `#\?{59}… \(1048577 characters\)`$/);
    expect(reason("flipped.csv")).toMatch(/flipped\.csv:\d+:2: column `I \(A\)`: `[\d.]+e-\\x10\d+` is not a number$/);
  });
});
