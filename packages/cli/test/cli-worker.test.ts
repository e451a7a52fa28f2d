import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { deleteKeys, redisAvailable, TEST_REDIS_URL } from "@pipewright/distributed/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS, fixture, lines, runCli, tempDir } from "./helpers.js";
import { startWorker, type WorkerProcess } from "./worker-process.js";

const REDIS_URL = TEST_REDIS_URL;

/** The run's output with what differs from run to run (times, durations, ids, the temp dir) replaced. */
function normalized(out: string, dir: string): string {
  return out
    .split(dir)
    .join("<dir>")
    .replace(/\b\d\d:\d\d:\d\d\b/g, "<time>")
    .replace(/(?<!\d)\d{8}_\d{6}(_\d+)?(?!\d)/g, "<id>") // in "<pipeline>_<id>.json" too
    .replace(/\b\d+(\.\d+)?(ms|s)\b/g, "<t>")
    .replace(/ +/g, " ");
}

const available = await redisAvailable("the pipewright worker tests");

describe.skipIf(!available)("pipewright worker, workers and run --executor bullmq (a real worker process)", () => {
  const prefix = `pwtest-cli-${randomUUID().slice(0, 8)}`;
  let workerDir: string;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    workerDir = await mkdtemp(join(tmpdir(), "pipewright worker-"));
    worker = await startWorker(["--registry", COMMANDS, "--redis", REDIS_URL, "--prefix", prefix, "--concurrency", "3"], workerDir);
  }, 20_000);

  afterAll(async () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.child.kill("SIGKILL");
      await worker.exited;
    }
    await deleteKeys(prefix);
    await rm(workerDir, { recursive: true, force: true });
  });

  it("prints one line: where it listens and which commands it has", () => {
    const first = worker?.output().split("\n")[0] ?? "";
    expect(first).toMatch(new RegExp(`^pipewright worker \\S+:${worker?.child.pid} listening on ${REDIS_URL}, queue steps, prefix ${prefix}; concurrency 3; `));
    expect(first).toContain("commands: check_types, exec, fail, fail_until_marker, record, succeed, undo, wait_for_signal");
  });

  it("runs a pipeline's steps on the worker: exit 0, the same output and files as a local run", async () => {
    const runIn = async (dir: string, extra: string[]) => {
      const log = join(dir, "log.txt");
      const marker = join(dir, "marker");
      await writeFile(marker, "");
      const args = ["run", fixture("two-steps.yml"), "--registry", COMMANDS, "--param", `LOG=${log}`, "--param", `MARKER=${marker}`, "--checkpoint-dir", join(dir, "checkpoints")];
      const result = await runCli([...args, ...extra]);
      return { ...result, log: await lines(log), out: normalized(result.out, dir) };
    };
    const localDir = await tempDir();
    const remoteDir = await tempDir();

    const local = await runIn(localDir, []);
    const remote = await runIn(remoteDir, ["--executor", "bullmq", "--redis", REDIS_URL, "--prefix", prefix]);

    expect(remote.err).toBe("");
    expect(remote.code).toBe(0);
    expect(remote.out).toContain("✓ succeeded cli-two-steps");
    expect(remote.out).toBe(local.out);
    expect(remote.log).toEqual(["first", "second"]);
    expect(remote.log).toEqual(local.log);
  });

  it("says why a run fails when the executor flags are wrong, before running anything", async () => {
    const dir = await tempDir();
    const base = ["run", fixture("two-steps.yml"), "--registry", COMMANDS, "--param", `LOG=${join(dir, "log")}`, "--param", `MARKER=${join(dir, "m")}`, "--checkpoint-dir", dir];
    const stray = await runCli([...base, "--prefix", prefix]);
    expect(stray.code).toBe(2);
    expect(stray.err).toContain("--prefix goes only with --executor bullmq");
    const unreachable = await runCli([...base, "--executor", "bullmq", "--redis", "redis://127.0.0.1:1"]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.err).toMatch(/Cannot use Redis at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1 \(is Redis running there\? Start one, or point --redis at it\)/);
    expect(await lines(join(dir, "log"))).toEqual([]);
  });

  it("`pipewright workers` lists the worker and the queue's depth", async () => {
    const { code, out } = await runCli(["workers", "--redis", REDIS_URL, "--prefix", prefix]);
    expect(code).toBe(0);
    expect(out).toContain(`Workers on ${REDIS_URL}, queue steps, prefix ${prefix}`);
    expect(out).toMatch(/HOST +PID +CONCURRENCY +JOBS DONE +STARTED +LAST SEEN/);
    expect(out).toMatch(new RegExp(`^  ${hostname()} +${worker?.child.pid} +3 +2 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +\\d+s ago$`, "m"));
    expect(out).toContain("1 worker, 3 jobs at once");
    expect(out).toContain("Queue  0 waiting · 0 active · 0 delayed · 0 failed");

    const json = await runCli(["workers", "--redis", REDIS_URL, "--prefix", prefix, "--json"]);
    const report = JSON.parse(json.out) as { workers: Array<{ pid: number; jobsDone: number }> };
    expect(report.workers.map((w) => [w.pid, w.jobsDone])).toEqual([[worker?.child.pid, 2]]);
  });

  it("runs where the file's executor: says; flags win over it key by key", async () => {
    const dir = await tempDir();
    const file = join(dir, "on-workers.yml");
    const yaml = (await readFile(fixture("two-steps.yml"), "utf8")).replace("steps:", `executor:\n  type: bullmq\n  redis: redis://127.0.0.1:1\n  prefix: ${prefix}\nsteps:`);
    await writeFile(file, yaml);
    const log = join(dir, "log.txt");
    const marker = join(dir, "marker");
    await writeFile(marker, "");
    const run = (extra: string[]) => runCli(["run", file, "--registry", COMMANDS, "--param", `LOG=${log}`, "--param", `MARKER=${marker}`, "--checkpoint-dir", join(dir, "checkpoints"), ...extra]);
    const jobsDone = async () => {
      const listed = await runCli(["workers", "--redis", REDIS_URL, "--prefix", prefix, "--json"]);
      return (JSON.parse(listed.out) as { workers: Array<{ jobsDone: number }> }).workers.map((w) => w.jobsDone);
    };
    const before = (await jobsDone())[0]!;

    const fromFile = await run([]);
    expect(fromFile.code).toBe(2);
    expect(fromFile.err).toMatch(/^error: Cannot use Redis at redis:\/\/127\.0\.0\.1:1: /);

    const overRedis = await run(["--redis", REDIS_URL]);
    expect(overRedis.err).toBe("");
    expect(overRedis.code).toBe(0);
    await expect.poll(jobsDone, { timeout: 5000 }).toEqual([before + 2]);

    const local = await run(["--executor", "local"]);
    expect(local.code).toBe(0);
    expect(await lines(log)).toEqual(["first", "second", "first", "second"]);
    expect(await jobsDone()).toEqual([before + 2]);
  });

  it("stops gracefully on SIGTERM with exit 0, and leaves the list of workers", async () => {
    const running = worker!;
    running.child.kill("SIGTERM");
    const exit = await running.exited;
    expect(exit, running.output()).toEqual({ code: 0, signal: null });
    expect(running.output()).toMatch(/SIGTERM: worker \S+ stopping/);
    expect(running.output()).toMatch(/worker \S+ stopped\n$/);

    const { out } = await runCli(["workers", "--redis", REDIS_URL, "--prefix", prefix]);
    expect(out).toContain("no live workers");
  });
});
