import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CheckpointError, ConcurrentRunError, lockPathFor, Pipeline, type ExecuteOptions, type PipelineEvents } from "../src/index.js";
import { tempDir } from "./helpers.js";

const CHILD = fileURLToPath(new URL("./fixtures/lock-child.ts", import.meta.url));
const NAME = "lock-test";

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The child's JSON line: its result, or the error it threw. */
  report: { executionId?: string; status?: string; warnings?: string[]; error?: string; message?: string } | undefined;
}

/** Starts lock-child.ts: the "lock-test" pipeline, whose "wait" step waits for `release` to exist. */
function startChild(dir: string, tag: string, options: ExecuteOptions = {}, release = join(dir, `release-${tag}`)) {
  const started = join(dir, `started-${tag}`);
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, join(dir, "cp"), started, release, JSON.stringify(options)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const exited = new Promise<ChildOutcome>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const line = out.trim().split("\n").pop();
      resolve({ code, signal, report: line ? (JSON.parse(line) as ChildOutcome["report"]) : undefined });
    });
  });
  return { child, started, release, exited };
}

/** Resolves once `file` exists; rejects when the child exits first or after 15 s. */
async function waitForFile(file: string, exited: Promise<ChildOutcome>): Promise<void> {
  let outcome: ChildOutcome | undefined;
  void exited.then((o) => (outcome = o));
  const deadline = Date.now() + 15_000;
  while (!existsSync(file)) {
    if (outcome) throw new Error(`the child exited (${outcome.code}) before ${file} existed: ${JSON.stringify(outcome.report)}`);
    if (Date.now() > deadline) throw new Error(`${file} did not appear within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The same pipeline as the child's, for runs in this process; its "wait" step returns at once. */
function inProcessPipeline(dir: string): Pipeline {
  return new Pipeline({ name: NAME, checkpointDir: join(dir, "cp") })
    .addStep("first", () => "first")
    .addStep("wait", () => "released")
    .addStep("last", () => "last");
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid!;
}

async function lockJson(dir: string): Promise<{ pid: number; host: string; started_at: string; execution_id: string | null }> {
  return JSON.parse(await readFile(lockPathFor(join(dir, "cp"), NAME), "utf8")) as never;
}

async function writeLock(dir: string, lock: { pid: number; host: string; started_at: string; execution_id: string | null }): Promise<string> {
  const path = lockPathFor(join(dir, "cp"), NAME);
  await writeFile(path, JSON.stringify({ ...lock, token: "test" }));
  return path;
}

function warnings(pipeline: Pipeline): string[] {
  const seen: string[] = [];
  pipeline.on("pipelineWarning", (e: PipelineEvents["pipelineWarning"]) => void seen.push(e.message));
  return seen;
}

describe("concurrent runs of one pipeline in one checkpoint directory", () => {
  it("refuses a second run while a live process holds the lock, naming it; a separate execution runs; the lock goes at the end", { timeout: 30_000 }, async () => {
    const dir = await tempDir();
    const holder = startChild(dir, "holder");
    try {
      await waitForFile(holder.started, holder.exited);
      const lock = await lockJson(dir);
      expect(lock).toMatchObject({ pid: holder.child.pid, host: hostname() });
      const [checkpoint] = (await readdir(join(dir, "cp"))).filter((f) => f.endsWith(".json"));
      expect(checkpoint).toBe(`${NAME}_${lock.execution_id}.json`); // the lock names the execution running

      // In this process: refused, with who holds the lock, since when, and how to go on.
      const error = await inProcessPipeline(dir).execute().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrentRunError);
      const message = (error as Error).message;
      expect(message).toContain(`process ${holder.child.pid} on ${hostname()} holds its lock since ${lock.started_at}, execution ${lock.execution_id}`);
      expect(message).toContain("separateExecution: true");
      expect(message).toContain(lockPathFor(join(dir, "cp"), NAME));
      expect((error as ConcurrentRunError).details).toMatchObject({ reason: "locked", holder: { pid: holder.child.pid, executionId: lock.execution_id } });

      // In another process: refused the same way, nothing written.
      const before = await readdir(join(dir, "cp"));
      const second = await startChild(dir, "second").exited;
      expect(second.code).toBe(2);
      expect(second.report).toMatchObject({ error: "ConcurrentRunError" });
      expect(second.report?.message).toContain(`process ${holder.child.pid} on`);
      expect(await readdir(join(dir, "cp"))).toEqual(before);

      // A separate execution runs beside it, with its own id, and leaves the lock alone.
      const separate = startChild(dir, "separate", { separateExecution: true }, join(dir, "released-already"));
      await writeFile(join(dir, "released-already"), "");
      const outcome = await separate.exited;
      expect(outcome.code).toBe(0);
      expect(outcome.report).toMatchObject({ status: "success" });
      expect(outcome.report?.executionId).not.toBe(lock.execution_id);
      expect(await lockJson(dir)).toEqual(lock);

      // Resuming the live execution is refused, even as a separate execution, in this process and in another.
      for (const options of [{ resumeFrom: lock.execution_id! }, { resumeFrom: lock.execution_id!, separateExecution: true }]) {
        const refused = await inProcessPipeline(dir).execute(options).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(ConcurrentRunError);
        expect((refused as Error).message).toContain(`Execution ${lock.execution_id} of pipeline "${NAME}" is still running (process ${holder.child.pid}`);
      }
      const resumed = await startChild(dir, "resume", { resumeFrom: "latest", separateExecution: true }).exited;
      expect(resumed.code).toBe(0); // latest is the separate execution, which has ended
      const resumeLive = await startChild(dir, "resume-live", { resumeFrom: lock.execution_id!, separateExecution: true }).exited;
      expect(resumeLive.code).toBe(2);
      expect(resumeLive.report?.message).toContain("is still running");

      await writeFile(holder.release, "");
      expect((await holder.exited).code).toBe(0);
      expect(existsSync(lockPathFor(join(dir, "cp"), NAME))).toBe(false);
      // Once it has ended, the next run goes through.
      expect((await inProcessPipeline(dir).execute()).success).toBe(true);
    } finally {
      if (holder.child.exitCode === null) holder.child.kill("SIGKILL");
    }
  });

  it("takes over the lock of a holder killed with SIGKILL, says so, and resumes its execution", { timeout: 30_000 }, async () => {
    const dir = await tempDir();
    const holder = startChild(dir, "holder");
    await waitForFile(holder.started, holder.exited);
    const lock = await lockJson(dir);
    holder.child.kill("SIGKILL");
    expect((await holder.exited).signal).toBe("SIGKILL");
    expect(existsSync(lockPathFor(join(dir, "cp"), NAME))).toBe(true); // left behind

    const next = startChild(dir, "next", { resumeFrom: lock.execution_id! }, join(dir, "released-already"));
    await writeFile(join(dir, "released-already"), "");
    const outcome = await next.exited;
    expect(outcome.code).toBe(0);
    expect(outcome.report?.status).toBe("success");
    expect(outcome.report?.warnings).toEqual([
      `Took over the lock ${lockPathFor(join(dir, "cp"), NAME)} left by a run that is gone (process ${holder.child.pid} on ${hostname()}, since ${lock.started_at}, execution ${lock.execution_id}).`,
    ]);
    expect(existsSync(lockPathFor(join(dir, "cp"), NAME))).toBe(false);
  });

  it("of processes racing for a stale lock, exactly one takes it over; the others are refused", { timeout: 40_000 }, async () => {
    const dir = await tempDir();
    await inProcessPipeline(dir).execute(); // creates the directory
    await writeLock(dir, { pid: await deadPid(), host: hostname(), started_at: new Date().toISOString(), execution_id: "20260101_000000" });

    const release = join(dir, "release");
    const racers = Array.from({ length: 5 }, (_, i) => startChild(dir, `racer-${i}`, {}, release));
    const refused: ChildOutcome[] = [];
    const winners: typeof racers = [];
    await Promise.all(
      racers.map(async (racer) => {
        const first = await Promise.race([racer.exited, waitForFile(racer.started, racer.exited).then(() => undefined)]);
        if (first) refused.push(first);
        else winners.push(racer);
      }),
    );
    expect(winners).toHaveLength(1);
    expect(refused.map((r) => [r.code, r.report?.error])).toEqual(Array.from({ length: 4 }, () => [2, "ConcurrentRunError"]));
    expect(refused.every((r) => r.report?.message?.includes(`process ${winners[0]!.child.pid} on`))).toBe(true);
    await writeFile(release, "");
    const won = await winners[0]!.exited;
    expect(won.code).toBe(0);
    expect(won.report?.warnings?.[0]).toMatch(/^Took over the lock .* left by a run that is gone \(process \d+ on/);
    expect(existsSync(lockPathFor(join(dir, "cp"), NAME))).toBe(false);
  });
});

describe("the run lock in one process", () => {
  it("is released however the execution ends: success, failed step, cancel, thrown error", async () => {
    const dir = await tempDir();
    const lockPath = lockPathFor(join(dir, "cp"), NAME);
    const seen: boolean[] = [];
    const pipeline = (command: () => unknown) =>
      new Pipeline({ name: NAME, checkpointDir: join(dir, "cp") }).addStep("a", () => void seen.push(existsSync(lockPath))).addStep("b", command);

    expect((await pipeline(() => 1).execute()).status).toBe("success");
    expect((await pipeline(() => Promise.reject(new Error("no"))).execute()).status).toBe("failed");
    const cancel = new AbortController();
    expect((await pipeline(() => cancel.abort()).execute({ signal: cancel.signal })).status).toBe("cancelled");
    // A checkpoint that cannot be written rejects the execution: the lock goes too.
    const failing = { ...(await import("node:fs/promises")) };
    const link = failing.link;
    failing.link = (from, to) => (String(to).endsWith(".json") ? Promise.reject(Object.assign(new Error("EACCES: simulated"), { code: "EACCES" })) : link(from, to));
    await expect(pipeline(() => 1).execute({ fileSystem: failing })).rejects.toBeInstanceOf(CheckpointError);

    expect(seen).toEqual([true, true, true]);
    expect(existsSync(lockPath)).toBe(false);
  });

  it("refuses a second concurrent execute() of the same pipeline in the same process, unless separate", async () => {
    const dir = await tempDir();
    const [first, second, separate] = await Promise.allSettled([
      inProcessPipeline(dir).execute(),
      inProcessPipeline(dir).execute(),
      inProcessPipeline(dir).execute({ separateExecution: true }),
    ]);
    expect(first.status).toBe("fulfilled");
    expect(second.status).toBe("rejected");
    expect((second as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrentRunError);
    expect(((second as PromiseRejectedResult).reason as Error).message).toContain(`process ${process.pid} on`);
    expect(separate.status).toBe("fulfilled");
  });

  it("takes no lock without checkpoints, and keeps the lock file inside the checkpoint directory", async () => {
    const dir = await tempDir();
    const held: boolean[] = [];
    const name = "../../escape";
    const lockPath = lockPathFor(join(dir, "cp"), name);
    expect(lockPath.startsWith(join(dir, "cp") + "/")).toBe(true);
    await new Pipeline({ name, checkpointDir: join(dir, "cp") }).addStep("a", () => void held.push(existsSync(lockPath))).execute();
    await new Pipeline({ name, checkpointDir: join(dir, "none") }).addStep("a", () => 1).execute({ checkpoint: false });
    expect(held).toEqual([true]);
    expect(existsSync(join(dir, "none"))).toBe(false);
  });

  it("takes over a lock naming this pid that this process does not hold (an earlier process had the pid)", async () => {
    const dir = await tempDir();
    await inProcessPipeline(dir).execute();
    await writeLock(dir, { pid: process.pid, host: hostname(), started_at: "2020-01-01T00:00:00.000Z", execution_id: "20200101_000000" });
    const pipeline = inProcessPipeline(dir);
    const seen = warnings(pipeline);
    expect((await pipeline.execute()).success).toBe(true);
    expect(seen).toEqual([expect.stringContaining(`process ${process.pid} on ${hostname()}, since 2020-01-01T00:00:00.000Z`)]);
  });

  it("takes over an unreadable lock", async () => {
    const dir = await tempDir();
    await inProcessPipeline(dir).execute();
    await writeFile(lockPathFor(join(dir, "cp"), NAME), "");
    const pipeline = inProcessPipeline(dir);
    const seen = warnings(pipeline);
    expect((await pipeline.execute()).success).toBe(true);
    expect(seen).toEqual([expect.stringContaining("left by a run that is gone (unreadable)")]);
  });

  it("treats another host's lock as held while it is touched, and as stale once untouched for 5 minutes", async () => {
    const dir = await tempDir();
    await inProcessPipeline(dir).execute();
    const path = await writeLock(dir, { pid: 4242, host: "elsewhere.example", started_at: "2026-01-01T00:00:00.000Z", execution_id: "20260101_000000" });
    const error = await inProcessPipeline(dir).execute().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrentRunError);
    expect((error as Error).message).toContain("process 4242 on elsewhere.example holds its lock since 2026-01-01T00:00:00.000Z, execution 20260101_000000");

    const old = new Date(Date.now() - 6 * 60_000);
    await utimes(path, old, old);
    const pipeline = inProcessPipeline(dir);
    const seen = warnings(pipeline);
    expect((await pipeline.execute()).success).toBe(true);
    expect(seen).toEqual([expect.stringContaining("process 4242 on elsewhere.example")]);
  });

  it("lets a crashed execution (running, its process gone) be resumed, but not one whose lock is held", async () => {
    const dir = await tempDir();
    const { executionId } = await inProcessPipeline(dir).execute();
    // The lock of a live process (this test's parent) names that execution.
    await writeLock(dir, { pid: process.ppid, host: hostname(), started_at: new Date().toISOString(), execution_id: executionId });
    const error = await inProcessPipeline(dir).execute({ resumeFrom: executionId, separateExecution: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrentRunError);
    expect((error as ConcurrentRunError).details.reason).toBe("still-running");
    expect((error as Error).message).toContain(`Execution ${executionId} of pipeline "${NAME}" is still running (process ${process.ppid}`);
  });
});
