/**
 * Distributed benchmark (`npx tsx bench/distributed.bench.ts`): 10,000 no-op map items through 1, 2
 * and 4 local worker PROCESSES on the loopback Redis (127.0.0.1:6379, or PW_BENCH_REDIS_URL).
 *
 * - engine: `pipeline.execute({ executor: new BullMqExecutor(...), checkpoint: false })` over a map step
 *   of ITEMS items whose command returns null, run by `startWorker` processes (checkpoints off: this
 *   measures the executor and the queue, not the disk — the graph bench measures the journal);
 * - baseline: BullMQ alone moving the same number of jobs: `Queue.addBulk` of every job at once, the
 *   same number of plain BullMQ `Worker` processes with a no-op processor, the same worker concurrency
 *   and job options; timed from the first add to the last `completed` event heard by a `QueueEvents`.
 *
 * The two run in turns for each worker count (worker start-up not timed), PW_BENCH_ROUNDS rounds (2);
 * jobs/s from the fastest round of each. Prints a plain-text report
 * with a PASS/FAIL line per target, then the same figures as Markdown between `--- markdown ---`
 * lines (for docs/DISTRIBUTED.md). Exits 0 even when a target fails: it is a report.
 *
 * The same file is the worker process: `tsx bench/distributed.bench.ts worker <pipewright|bullmq> <prefix>`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { arch, cpus, loadavg, platform } from "node:os";
import { fileURLToPath } from "node:url";
import { Queue, QueueEvents, Worker } from "bullmq";
import { Pipeline } from "pipewright";
import { BullMqExecutor, startWorker } from "../packages/distributed/src/index.js";
import { closingLines, markdownTable, num, progress, targetLines, targetsMarkdown, textTable, type Check } from "./measure.js";
import { deleteKeys } from "../packages/distributed/src/testing.js";

const REDIS_URL = process.env.PW_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const ITEMS = 10_000;
const WORKER_COUNTS = (process.env.PW_BENCH_WORKERS ?? "1,2,4").split(",").map(Number);
/** Jobs each worker process runs at once, in both cases. */
const WORKER_CONCURRENCY = 16;
/** The engine's `concurrency`: how many items are in the queue or running at once. */
const ENGINE_CONCURRENCY = 1024;
const QUEUE = "steps";
/** Finished jobs are kept this long, in both cases (the executor's default). */
const KEEP = { age: 3600 };
const TARGET_RATIO = 0.7;
/** added, waiting, active, completed — and room to spare: the baseline's stream keeps them all. */
const EVENTS_PER_JOB = 6;
const ROUNDS = Number(process.env.PW_BENCH_ROUNDS ?? 2);

const SELF = fileURLToPath(import.meta.url);
const url = new URL(REDIS_URL);
const connection = { host: url.hostname, port: Number(url.port || 6379) };

// ------------------------------------------------------------------------------------------ worker
async function workerMain(kind: string, prefix: string): Promise<void> {
  if (kind === "pipewright") {
    const worker = await startWorker({ redis: { url: REDIS_URL, prefix }, registry: { noop: () => null }, concurrency: WORKER_CONCURRENCY });
    process.stdout.write(`ready ${worker.name}\n`);
    return;
  }
  const worker = new Worker(QUEUE, () => Promise.resolve(null), { connection, prefix, concurrency: WORKER_CONCURRENCY });
  worker.on("error", (error) => console.error(error.message));
  await worker.waitUntilReady();
  process.once("SIGTERM", () => void worker.close().then(() => process.exit(0)));
  process.stdout.write("ready\n");
}

// ------------------------------------------------------------------------------------------ coordinator
function spawnWorker(kind: string, prefix: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", SELF, "worker", kind, prefix], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes("ready")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`a ${kind} worker exited (${code}) before it was ready: ${text}`)));
  });
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
          setTimeout(() => child.kill("SIGKILL"), 5000).unref();
        }),
    ),
  );
}

function cleanUp(prefix: string): Promise<void> {
  return deleteKeys(prefix, REDIS_URL);
}

/** Runs `body` with `count` worker processes of `kind` on a prefix of its own; resolves with body's ms. */
async function withWorkers(kind: "pipewright" | "bullmq", count: number, body: (prefix: string) => Promise<number>): Promise<number> {
  const prefix = `pwbench-${randomUUID().slice(0, 8)}`;
  const children = await Promise.all(Array.from({ length: count }, () => spawnWorker(kind, prefix)));
  try {
    return await body(prefix);
  } finally {
    await stopWorkers(children);
    await cleanUp(prefix);
  }
}

/**
 * BullMQ alone: every job added at once, the time until the last completion is heard — a coordinator
 * must hear of each job's end, as the engine's does. The events stream keeps every event of the run
 * (BullMQ trims it to ≈ 10,000 by default: adding 10,000 jobs at once writes 20,000 events before the
 * reader catches up, completions were trimmed away unread and the count never arrived).
 */
async function baseline(prefix: string): Promise<number> {
  const queue = new Queue(QUEUE, { connection, prefix, streams: { events: { maxLen: EVENTS_PER_JOB * ITEMS } } });
  // From the stream's start (the prefix is new): `waitUntilReady` does not mean its first read was sent,
  // and a completion before that read would be missed by the default "$".
  const events = new QueueEvents(QUEUE, { connection, prefix, lastEventId: "0-0" });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  try {
    let completed = 0;
    const done = new Promise<void>((resolve) =>
      events.on("completed", () => {
        if (++completed === ITEMS) resolve();
      }),
    );
    const jobs = Array.from({ length: ITEMS }, (_, i) => ({
      name: "noop",
      data: { item: i },
      opts: { jobId: `job.${i}`, attempts: 1, removeOnComplete: KEEP, removeOnFail: KEEP },
    }));
    const start = performance.now();
    await queue.addBulk(jobs);
    await done;
    return performance.now() - start;
  } finally {
    await Promise.allSettled([events.close(), queue.close()]);
  }
}

/** The engine: a map step of ITEMS no-op items through BullMqExecutor. */
async function engine(prefix: string): Promise<number> {
  const executor = new BullMqExecutor({ redis: { url: REDIS_URL, prefix }, outputs: "none" });
  try {
    const pipeline = new Pipeline({ name: "bench", registry: { noop: () => null } }).addMapStep("noop", {
      command: "noop",
      items: Array.from({ length: ITEMS }, (_, i) => i),
    });
    const start = performance.now();
    const result = await pipeline.execute({ executor, checkpoint: false, concurrency: ENGINE_CONCURRENCY });
    const ms = performance.now() - start;
    const output = result.steps[0]?.output as { succeeded?: number } | undefined;
    if (result.status !== "success" || output?.succeeded !== ITEMS) throw new Error(`the engine's run did not succeed: ${result.status} ${JSON.stringify(output)?.slice(0, 200)}`);
    return ms;
  } finally {
    await executor.close();
  }
}

interface Row {
  workers: number;
  baselineMs: number[];
  engineMs: number[];
}
/** The fastest round: on a shared machine the slower ones measure the neighbours. */
const best = (values: number[]) => Math.min(...values);
const perSecond = (ms: number) => (ITEMS * 1000) / ms;

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const rows: Row[] = [];
  for (const workers of WORKER_COUNTS) {
    const row: Row = { workers, baselineMs: [], engineMs: [] };
    for (let round = 0; round < ROUNDS; round++) {
      progress(`${workers} worker process(es), round ${round + 1}/${ROUNDS}: BullMQ alone`);
      row.baselineMs.push(await withWorkers("bullmq", workers, baseline));
      progress(`${workers} worker process(es), round ${round + 1}/${ROUNDS}: engine + BullMqExecutor`);
      row.engineMs.push(await withWorkers("pipewright", workers, engine));
    }
    rows.push(row);
  }

  const figures = rows.map((r) => {
    const base = perSecond(best(r.baselineMs));
    const eng = perSecond(best(r.engineMs));
    return { workers: r.workers, base, eng, ratio: eng / base, row: r };
  });
  const checks: Check[] = figures.map((f) => ({
    target: `${num(ITEMS)} no-op map items on ${f.workers} worker process${f.workers === 1 ? "" : "es"}: engine jobs/s ÷ BullMQ-alone jobs/s`,
    goal: `≥ ${num(TARGET_RATIO * 100)} %`,
    measured: `${num(f.ratio * 100, 0)} % (${num(f.eng)} vs ${num(f.base)} jobs/s)`,
    ok: f.ratio >= TARGET_RATIO,
  }));

  const headers = ["workers", "BullMQ alone ms", "BullMQ jobs/s", "engine ms", "engine jobs/s", "ratio"];
  const textRows = figures.map((f) => [
    String(f.workers),
    f.row.baselineMs.map((ms) => num(ms)).join(", "),
    num(f.base),
    f.row.engineMs.map((ms) => num(ms)).join(", "),
    num(f.eng),
    `${num(f.ratio * 100)} %`,
  ]);
  const setup =
    `${num(ITEMS)} jobs per run; worker processes with concurrency ${WORKER_CONCURRENCY} each; engine concurrency ${ENGINE_CONCURRENCY}, checkpoints off, outputs "none";` +
    ` ${ROUNDS} round(s), in turns, jobs/s of the fastest round of each; Redis ${REDIS_URL}`;
  const out: string[] = [];
  out.push("Setup", setup, "");
  out.push("Jobs/s: BullMQ alone (addBulk + no-op workers) vs the engine's map step through BullMqExecutor", textTable(headers, textRows), "");
  out.push("Targets", targetLines(checks), "");
  out.push(...closingLines(loadAtStart, checks, started));
  const cpu = cpus()[0]?.model ?? "?";
  const md = [
    `Node ${process.version}, ${platform()} ${arch()}, ${cpus().length} × ${cpu}; Redis on loopback. ${setup}.`,
    "",
    markdownTable(
      ["Worker processes", "BullMQ alone", "Engine + BullMqExecutor", "Ratio"],
      figures.map((f) => [String(f.workers), `${num(f.base)} jobs/s`, `${num(f.eng)} jobs/s`, `${num(f.ratio * 100)} %`]),
    ),
    "",
    targetsMarkdown(checks),
  ];
  out.push("--- markdown ---", ...md, "--- markdown ---");
  console.log(out.join("\n"));
}

if (process.argv[2] === "worker") await workerMain(process.argv[3] ?? "bullmq", process.argv[4] ?? "pwbench");
else await main();
