/**
 * Connection options of a real deployment: a Redis that wants a password and speaks only TLS, with a
 * certificate of its own authority. A private redis-server on a free port; a real worker process.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { freePort, killRedis, selfSignedCertificate, startRedis, type TlsFiles } from "@pipewright/distributed/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS, fixture, lines, resumeLine, runCli, shellWords, tempDir } from "./helpers.js";
import { startWorker, type WorkerProcess } from "./worker-process.js";

const PASSWORD = "s3cret-for-tests";
const PREFIX = "pwtest-secure";

/** redis-server with TLS, and openssl to make a certificate: required in CI, else the tests are skipped with a message. */
function toolsPresent(): boolean {
  const probes: Array<[string, string]> = [["redis-server", "--version"], ["openssl", "version"]];
  const missing = probes.filter(([tool, flag]) => spawnSync(tool, [flag], { stdio: "ignore" }).status !== 0).map(([tool]) => tool);
  if (missing.length === 0) return true;
  const message = `${missing.join(" and ")} not found`;
  if (process.env.CI === "true") throw new Error(`${message}: the Redis password and TLS tests need them in CI`);
  console.warn(`${message}: skipping the Redis password and TLS tests`);
  return false;
}

describe.skipIf(!toolsPresent())("Redis with a password and TLS: run, worker and resume", () => {
  let dir: string;
  let tls: TlsFiles;
  let url: string;
  let redis: ChildProcess;
  let worker: WorkerProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "pw-secure-redis-"));
    const files = selfSignedCertificate(dir);
    if (!files) throw new Error("openssl could not make a certificate");
    tls = files;
    const port = await freePort();
    url = `rediss://127.0.0.1:${port}`;
    redis = await startRedis({ port, dir, password: PASSWORD, tls });
    // The worker takes its password from the environment, the certificate authority from --tls-ca.
    worker = await startWorker(["--registry", COMMANDS, "--redis", url, "--tls-ca", tls.ca, "--prefix", PREFIX], dir, { PIPEWRIGHT_REDIS_PASSWORD: PASSWORD });
  }, 30_000);

  afterAll(async () => {
    if (worker && worker.child.exitCode === null) {
      worker.child.kill("SIGKILL");
      await worker.exited;
    }
    if (redis) await killRedis(redis);
    await rm(dir, { recursive: true, force: true });
  });

  const twoSteps = async () => {
    const runDir = await tempDir();
    const paths = { log: join(runDir, "log.txt"), marker: join(runDir, "marker"), checkpoints: join(runDir, "checkpoints") };
    const args = ["run", fixture("two-steps.yml"), "-r", COMMANDS, "-p", `LOG=${paths.log}`, "-p", `MARKER=${paths.marker}`, "--checkpoint-dir", paths.checkpoints];
    return { ...paths, args };
  };

  it("the worker says where it listens, without the password", () => {
    expect(worker.output()).toMatch(new RegExp(`listening on ${url.replace(/\./g, "\\.")}, queue steps, prefix ${PREFIX}`));
    expect(worker.output()).not.toContain(PASSWORD);
  });

  it("says what is wrong with the password or the certificate, in one line, before running anything", async () => {
    const t = await twoSteps();
    const flags = ["--executor", "bullmq", "--redis", url, "--prefix", PREFIX];
    const noPassword = await runCli([...t.args, ...flags, "--tls-ca", tls.ca]);
    expect(noPassword.code).toBe(2);
    expect(noPassword.err).toBe(`error: Cannot use Redis at ${url}: it wants a password (give --password or PIPEWRIGHT_REDIS_PASSWORD)\n`);
    const wrong = await runCli([...t.args, ...flags, "--tls-ca", tls.ca, "--password", "not-it"]);
    expect(wrong.err).toBe(`error: Cannot use Redis at ${url}: it refused the user name or password\n`);
    const untrusted = await runCli([...t.args, ...flags, "--password", PASSWORD]);
    expect(untrusted.code).toBe(2);
    expect(untrusted.err).toMatch(/^error: Cannot use Redis at rediss:\/\/127\.0\.0\.1:\d+: TLS failed: self[- ]signed certificate \(is the server's certificate authority trusted\? NODE_EXTRA_CA_CERTS=ca\.pem adds one\)\n$/);
    const noFile = await runCli([...t.args, ...flags, "--password", PASSWORD, "--tls-ca", join(dir, "nope.pem")]);
    expect(noFile.err).toBe(`error: Cannot read --tls-ca ${join(dir, "nope.pem")}: ENOENT\n`);
    expect(await lines(t.log)).toEqual([]);
  });

  it("runs on the worker with the password in the URL, records no password, and resumes with it from the environment", async () => {
    const t = await twoSteps();
    const failed = await runCli([...t.args, "--executor", "bullmq", "--redis", `rediss://:${PASSWORD}@127.0.0.1:${new URL(url).port}`, "--tls-ca", tls.ca, "--prefix", PREFIX]);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/^ +first +✓ success +1 /m);
    expect(await lines(t.log)).toEqual(["first"]);

    // Neither the checkpoint nor the printed resume command holds the password.
    const checkpoints = await readdir(t.checkpoints);
    for (const name of checkpoints) expect(await readFile(join(t.checkpoints, name), "utf8")).not.toContain(PASSWORD);
    const words = shellWords(resumeLine(failed.err)!);
    expect(words.join(" ")).not.toContain(PASSWORD);
    expect(words).toEqual(expect.arrayContaining(["--executor", "bullmq", "--redis", url, "--tls-ca", tls.ca, "--prefix", PREFIX]));

    await writeFile(t.marker, "");
    process.env.PIPEWRIGHT_REDIS_PASSWORD = PASSWORD;
    try {
      const resumed = await runCli(["resume", "--checkpoint-dir", t.checkpoints]);
      expect(resumed.err).toBe("");
      expect(resumed.code).toBe(0);
      expect(resumed.out).toMatch(/^ +first +✓ success +resumed /m);
    } finally {
      delete process.env.PIPEWRIGHT_REDIS_PASSWORD;
    }
    // first ran once, before; second ran now. All three jobs (first, second failing, second) ran on the worker.
    expect(await lines(t.log)).toEqual(["first", "second"]);
    const jobsDone = async () => {
      const listed = await runCli(["workers", "--redis", url, "--tls-ca", tls.ca, "--password", PASSWORD, "--prefix", PREFIX, "--json"]);
      return (JSON.parse(listed.out) as { workers: Array<{ jobsDone: number }> }).workers.map((w) => w.jobsDone);
    };
    await expect.poll(jobsDone, { timeout: 5000 }).toEqual([3]);
    expect(worker.output()).not.toContain(PASSWORD);
  });
});
