import { randomUUID } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deleteKeys, redisAvailable, startWorkerProcess, TEST_REDIS_URL, type WorkerProcess } from "@pipewright/distributed/testing";
import { main as pipewright } from "@pipewright/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoData } from "../src/demo/generate.js";
import { queryRows } from "../src/staging/query-parquet.js";
import { sqlString } from "../src/staging/sql.js";
import { captureOutput } from "./capture-output.js";
import { processAndAnalyze } from "./lab-process.js";

const BIN = fileURLToPath(new URL("../bin/process-and-analyze.js", import.meta.url));
const REDIS_URL = TEST_REDIS_URL;

/** `process-and-analyze worker …` in the project (the lab's paths are relative), resolved once it listens. */
function startLabWorker(cwd: string, prefix: string): Promise<WorkerProcess> {
  return startWorkerProcess(BIN, ["--redis", REDIS_URL, "--prefix", prefix, "--concurrency", "2"], { cwd });
}

/** A Parquet file's rows, without what differs between two runs of the same data (times of writing, the project's absolute path), sorted. */
async function rowsOf(project: string, file: string): Promise<string[]> {
  const rows = await queryRows(`SELECT * FROM read_parquet(${sqlString(path.join(project, file))})`);
  return rows
    .map((row) => {
      const kept = Object.entries(row).filter(([key]) => !/(_at|_mtime_ms)$/.test(key));
      return JSON.stringify(Object.fromEntries(kept), (_key, value: unknown) => (typeof value === "string" ? value.split(project).join("<project>") : value));
    })
    .sort();
}

/** The `.parquet` files under `dir` of the project, relative, sorted. */
async function parquetFiles(project: string, dir: string): Promise<string[]> {
  const names = await readdir(path.join(project, dir));
  return names.filter((name) => name.endsWith(".parquet")).map((name) => path.join(dir, name)).sort();
}

const available = await redisAvailable("the distributed lab test");

describe.skipIf(!available)("full-pipeline-v2 on two `process-and-analyze worker`s (demo data)", () => {
  const prefix = `pwtest-lab-${randomUUID().slice(0, 8)}`;
  let root: string;
  let local: string;
  let remote: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "distributed-lab-"));
    local = path.join(root, "local");
    remote = path.join(root, "remote");
    await generateDemoData({ out: path.join(local, "data", "01_raw"), chips: 2, days: 1, seed: 11 });
    await cp(local, remote, { recursive: true, preserveTimestamps: true });
    workers.push(...(await Promise.all([startLabWorker(remote, prefix), startLabWorker(remote, prefix)])));
  }, 30_000);

  afterAll(async () => {
    for (const worker of workers) {
      if (worker.child.exitCode !== null || worker.child.signalCode !== null) continue;
      worker.child.kill("SIGKILL");
      await worker.exited;
    }
    await deleteKeys(prefix);
    await rm(root, { recursive: true, force: true });
  });

  it("gives the same manifest, histories and metrics as a local run", async () => {
    const [here, there] = await Promise.all([
      processAndAnalyze(local, "full-pipeline-v2"),
      processAndAnalyze(remote, "full-pipeline-v2", "--executor", "bullmq", "--redis", REDIS_URL, "--prefix", prefix),
    ]);
    expect(here.code, here.stderr).toBe(0);
    expect(there.code, there.stderr).toBe(0);
    expect(there.stdout).toMatch(/✓ succeeded full-pipeline-v2 in [\d.]+s — 4 ok · 0 failed · 0 skipped/);
    expect(there.stdout).toContain("13 staged, 0 unchanged, 5 rejected"); // the worker's log, forwarded
    expect(there.stdout).toMatch(/metrics +data\/03_derived\/_metrics\/metrics\.parquet +\(\d+ rows\)/);

    // The four steps ran on the workers, not in the coordinator.
    const listing = captureOutput();
    expect(await pipewright(["workers", "--redis", REDIS_URL, "--prefix", prefix, "--json"], listing)).toBe(0);
    const report = JSON.parse(listing.outText()) as { workers: Array<{ pid: number; jobsDone: number }>; jobs: { failed: number } };
    expect(report.workers.map((w) => w.pid).sort()).toEqual(workers.map((w) => w.child.pid).sort());
    expect(report.workers.reduce((sum, w) => sum + w.jobsDone, 0)).toBe(4);
    expect(report.jobs.failed).toBe(0);

    const manifest = "data/02_stage/raw_measurements/_manifest/manifest.parquet";
    const runIds = async (project: string) => (await queryRows(`SELECT run_id FROM read_parquet(${sqlString(path.join(project, manifest))})`)).map((row) => String(row.run_id)).sort();
    expect(await runIds(remote)).toHaveLength(13);
    expect(await runIds(remote)).toEqual(await runIds(local));
    expect(await rowsOf(remote, manifest)).toEqual(await rowsOf(local, manifest));

    for (const dir of ["data/02_stage/chip_histories", "data/03_derived/chip_histories_enriched"]) {
      const files = await parquetFiles(remote, dir);
      expect(files).toEqual(await parquetFiles(local, dir));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(await rowsOf(remote, file), file).toEqual(await rowsOf(local, file));
    }

    const metricsFile = "data/03_derived/_metrics/metrics.parquet";
    const metrics = async (project: string) =>
      (await queryRows(`SELECT run_id, metric_name, value_float, value_json, unit FROM read_parquet(${sqlString(path.join(project, metricsFile))})`))
        .map((row) => JSON.stringify(row))
        .sort();
    expect((await metrics(remote)).length).toBeGreaterThan(0);
    expect(await metrics(remote)).toEqual(await metrics(local));
    expect(await rowsOf(remote, metricsFile)).toEqual(await rowsOf(local, metricsFile));
  }, 60_000);

  it("runs quick-staging, metrics-only and a YAML file whose executor: says bullmq on the workers", async () => {
    const jobsDone = async () => {
      const listing = captureOutput();
      expect(await pipewright(["workers", "--redis", REDIS_URL, "--prefix", prefix, "--json"], listing)).toBe(0);
      return (JSON.parse(listing.outText()) as { workers: Array<{ jobsDone: number }> }).workers.reduce((sum, w) => sum + w.jobsDone, 0);
    };
    const before = await jobsDone();
    const onWorkers = ["--executor", "bullmq", "--redis", REDIS_URL, "--prefix", prefix];

    const quick = await processAndAnalyze(remote, "quick-staging", ...onWorkers);
    expect(quick.code, quick.stderr).toBe(0);
    expect(quick.stdout).toContain("0 staged, 13 unchanged, 5 rejected");

    const metrics = await processAndAnalyze(remote, "metrics-only", "--force", ...onWorkers);
    expect(metrics.code, metrics.stderr).toBe(0);
    expect(metrics.stdout).toMatch(/10 runs measured, 0 up to date, 0 failed/);

    const file = path.join(root, "quick-staging-on-workers.yml");
    const shipped = await readFile(fileURLToPath(new URL("../config/pipelines/quick-staging.yml", import.meta.url)), "utf8");
    await writeFile(file, shipped.replace("\nsteps:", `\nexecutor:\n  type: bullmq\n  redis: ${REDIS_URL}\n  prefix: ${prefix}\n\nsteps:`));
    const fromYaml = await processAndAnalyze(remote, "run-pipeline-yaml", file);
    expect(fromYaml.code, fromYaml.stderr).toBe(0);
    expect(fromYaml.stdout).toContain("0 staged, 13 unchanged, 5 rejected");

    await expect.poll(jobsDone, { timeout: 5000 }).toBe(before + 3);
  }, 60_000);

  it("both workers stop on SIGTERM with exit 0", async () => {
    for (const worker of workers) worker.child.kill("SIGTERM");
    const exits = await Promise.all(workers.map((worker) => worker.exited));
    expect(exits, workers.map((w) => w.output()).join("\n")).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  }, 60_000);
});
