import { readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { lockPathFor } from "pipewright";
import { describe, expect, it } from "vitest";
import { checkpointFiles, COMMANDS, fixture, lines, runCli, tempDir } from "./helpers.js";

describe("pipewright run while another run holds the pipeline's lock", () => {
  async function setUp() {
    const dir = await tempDir();
    const checkpoints = join(dir, "cp");
    const log = join(dir, "log.txt");
    const marker = join(dir, "marker");
    await writeFile(marker, "");
    const args = ["run", fixture("two-steps.yml"), "-r", COMMANDS, "-p", `LOG=${log}`, "-p", `MARKER=${marker}`, "--checkpoint-dir", checkpoints];
    // A first run makes the directory and an execution to resume.
    expect((await runCli(args)).code).toBe(0);
    const [file] = await checkpointFiles(checkpoints);
    const executionId = file!.slice("cli-two-steps_".length, -".json".length);
    // The lock of a run going on in a live process of this host: this test's parent.
    const lockPath = lockPathFor(checkpoints, "cli-two-steps");
    const since = new Date().toISOString();
    const lock = JSON.stringify({ pid: process.ppid, host: hostname(), started_at: since, execution_id: executionId, token: "t" });
    await writeFile(lockPath, lock);
    return { dir, checkpoints, log, args, executionId, lockPath, lock, since };
  }

  it("is refused with exit 2 and one message naming the holder and --separate-execution; with the flag it runs", async () => {
    const { checkpoints, log, args, executionId, lockPath, lock, since } = await setUp();

    const refused = await runCli(args);
    expect(refused.code).toBe(2);
    expect(refused.out).toBe("");
    expect(refused.err).toBe(
      `error: Pipeline "cli-two-steps" is already running with checkpoints in ${checkpoints}: process ${process.ppid} on ${hostname()} holds its lock since ${since}, execution ${executionId}. ` +
        `Wait for it to end, or start a separate execution, which neither takes nor checks the lock (\`--separate-execution\`). ` +
        `If process ${process.ppid} on ${hostname()} is no longer running this pipeline, delete ${lockPath}.\n`,
    );
    expect(refused.err).not.toContain("    at ");
    expect(await checkpointFiles(checkpoints)).toHaveLength(1); // nothing started

    const separate = await runCli([...args, "--separate-execution"]);
    expect(separate.code).toBe(0);
    expect(separate.out).toContain("✓ succeeded cli-two-steps");
    expect(await checkpointFiles(checkpoints)).toHaveLength(2);
    expect(await lines(log)).toEqual(["first", "second", "first", "second"]);
    expect(await readFile(lockPath, "utf8")).toBe(lock); // not its lock: left alone
  });

  it("refuses to resume the execution the lock names, even with --separate-execution", async () => {
    const { checkpoints, executionId } = await setUp();
    for (const extra of [[], ["--separate-execution"]]) {
      const { code, err } = await runCli(["resume", executionId, "--checkpoint-dir", checkpoints, ...extra]);
      expect(code).toBe(2);
      expect(err).toBe(
        `error: Execution ${executionId} of pipeline "cli-two-steps" is still running (process ${process.ppid} on ${hostname()}, since ${(JSON.parse(
          await readFile(lockPathFor(checkpoints, "cli-two-steps"), "utf8"),
        ) as { started_at: string }).started_at}): resuming it now would run its steps twice. Wait for it to end, or stop it, then resume.\n`,
      );
    }
  });
});
