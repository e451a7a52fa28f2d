import { readdir } from "node:fs/promises";
import { basename } from "node:path";
import { Pipeline, type PipelineResult } from "pipewright";
import { describe, expect, it } from "vitest";
import { clockAt, markCrashed, recordExecutions } from "./executions.js";
import { runCli, tempDir, type CliRun } from "./helpers.js";

/** The table row `clean` printed for an execution: its action and why, or undefined. */
function verdict(out: string, execution: PipelineResult): { action: string; why: string } | undefined {
  const line = out.split("\n").find((l) => l.includes(` ${execution.executionId} `));
  const match = line && /^ {2}(removed|would remove|kept|not removed) +\S+ +\S+ +\S+ \S+ +\S+ \S+ +(.*)$/.exec(line);
  return match ? { action: match[1]!, why: match[2]! } : undefined;
}

/** The files of an execution: its snapshot and what sits beside it (journal, items files). */
async function filesOf(dir: string, execution: PipelineResult): Promise<string[]> {
  const name = basename(execution.checkpointPath!);
  return (await readdir(dir)).filter((file) => file.startsWith(name));
}

describe("pipewright clean", () => {
  it("--dry-run says what it would remove and what it keeps, and why; removes nothing", async () => {
    const dir = await tempDir();
    const e = await recordExecutions(dir);
    const before = await readdir(dir);

    const { code, out, err } = await runCli(["clean", "--keep", "1", "--dry-run", "--checkpoint-dir", dir]);

    expect(err).toBe("");
    expect(code).toBe(0);
    expect(await readdir(dir)).toEqual(before);
    expect(out).toMatch(/^ {2}action +id +pipeline +status +started +why$/m);
    expect(verdict(out, e.labCancelled)).toEqual({ action: "kept", why: "the newest of lab" });
    expect(verdict(out, e.etlFailedAgain)).toEqual({ action: "kept", why: "the newest of etl" });
    expect(verdict(out, e.etlResumed)).toEqual({ action: "would remove", why: "succeeded" });
    expect(verdict(out, e.etlFailed)).toEqual({ action: "would remove", why: `resumed to success by ${e.etlResumed.executionId}` });
    expect(out).toContain("Would remove 2 executions; kept 2 (dry run: nothing was removed)\n");
  });

  it("keeps executions that may still be resumed; --force removes them, with their journal and items files", async () => {
    const dir = await tempDir();
    const e = await recordExecutions(dir);
    expect((await filesOf(dir, e.labCancelled)).some((file) => /\.items-\d+$/.test(file))).toBe(true);

    const cleaned = await runCli(["clean", "--keep", "0", "--checkpoint-dir", dir]);

    expect(cleaned.code).toBe(0);
    expect(verdict(cleaned.out, e.etlResumed)?.action).toBe("removed");
    expect(verdict(cleaned.out, e.etlFailed)?.action).toBe("removed");
    expect(verdict(cleaned.out, e.etlFailedAgain)).toEqual({ action: "kept", why: "may still be resumed: failed, not resumed to success (--force removes it)" });
    expect(verdict(cleaned.out, e.labCancelled)).toEqual({ action: "kept", why: "may still be resumed: cancelled, not resumed to success (--force removes it)" });
    expect(cleaned.out).toContain("Removed 2 executions; kept 2\n");
    expect(await filesOf(dir, e.etlResumed)).toEqual([]);
    expect(await filesOf(dir, e.etlFailed)).toEqual([]);

    const forced = await runCli(["clean", "--keep", "0", "--force", "--checkpoint-dir", dir]);

    expect(forced.code).toBe(0);
    expect(verdict(forced.out, e.labCancelled)).toEqual({ action: "removed", why: "--force: cancelled, not resumed to success" });
    expect(verdict(forced.out, e.etlFailedAgain)?.action).toBe("removed");
    expect(await readdir(dir)).toEqual([]);
  });

  it("--older-than removes only executions started more than that many days ago; --pipeline only that pipeline's", async () => {
    const dir = await tempDir();
    const e = await recordExecutions(dir);

    const old = await runCli(["clean", "--older-than", "2.5", "--checkpoint-dir", dir]);

    expect(old.code).toBe(0);
    expect(verdict(old.out, e.etlFailedAgain)).toEqual({ action: "kept", why: "started less than 2.5 days ago" });
    expect(verdict(old.out, e.labCancelled)?.action).toBe("kept");
    expect(verdict(old.out, e.etlResumed)?.action).toBe("removed");
    expect(verdict(old.out, e.etlFailed)?.action).toBe("removed");

    const lab = await runCli(["clean", "--pipeline", "lab", "--keep", "0", "--force", "--checkpoint-dir", dir]);

    expect(lab.code).toBe(0);
    expect(verdict(lab.out, e.labCancelled)?.action).toBe("removed");
    expect(verdict(lab.out, e.etlFailedAgain)).toBeUndefined();
    expect(await filesOf(dir, e.etlFailedAgain)).toHaveLength(1);
  });

  it("follows a chain of resumes: a failed run resumed by a failed run that a successful one resumed is done with", async () => {
    const dir = await tempDir();
    let attempt = 0;
    const flaky = () =>
      new Pipeline({ name: "chain", checkpointDir: dir }).addStep("a", () => 1).addStep("b", () => {
        if (++attempt < 3) throw new Error(`not yet (${attempt})`);
        return 2;
      });
    const start = Date.now() - 10 * 60_000;
    const first = await flaky().execute({ clock: clockAt(start) });
    const second = await flaky().execute({ clock: clockAt(start + 60_000), resumeFrom: first.executionId });
    const third = await flaky().execute({ clock: clockAt(start + 120_000), resumeFrom: second.executionId });
    expect([first.status, second.status, third.status]).toEqual(["failed", "failed", "success"]);

    const { out } = await runCli(["clean", "--keep", "1", "--dry-run", "--checkpoint-dir", dir]);

    expect(verdict(out, third)?.action).toBe("kept");
    expect(verdict(out, second)).toEqual({ action: "would remove", why: `resumed to success by ${third.executionId}` });
    expect(verdict(out, first)).toEqual({ action: "would remove", why: `resumed to success by ${third.executionId}` });
  });

  it("never removes an execution whose process is alive, even with --force; one whose process is gone only with --force", async () => {
    const dir = await tempDir();
    let during: CliRun | undefined;
    const live = await new Pipeline({ name: "live", checkpointDir: dir })
      .addStep("peek", async () => {
        during = await runCli(["clean", "--keep", "0", "--force", "--checkpoint-dir", dir]);
      })
      .execute();
    expect(live.status).toBe("success");
    expect(verdict(during!.out, live)).toEqual({ action: "kept", why: `running: process ${process.pid} is alive on this machine` });

    // A run that crashed: its checkpoint still says running, its process is gone.
    const pid = await markCrashed(live.checkpointPath!);
    const kept = await runCli(["clean", "--keep", "0", "--checkpoint-dir", dir]);
    expect(verdict(kept.out, live)).toEqual({ action: "kept", why: `may still be resumed: running, but its process ${pid} is gone (--force removes it)` });
    const forced = await runCli(["clean", "--keep", "0", "--force", "--checkpoint-dir", dir]);
    expect(verdict(forced.out, live)).toEqual({ action: "removed", why: `--force: running, but its process ${pid} is gone` });
    expect(await readdir(dir)).toEqual([]);
  });

  it("needs --keep or --older-than, rejects bad numbers with exit 2, and explains its rule in --help", async () => {
    const none = await runCli(["clean", "--checkpoint-dir", await tempDir()]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("--keep N");
    for (const args of [["--keep", "-2"], ["--keep", "1.5"], ["--older-than", "soon"], ["--older-than", "-1"]]) {
      expect((await runCli(["clean", ...args])).code).toBe(2);
    }
    const help = await runCli(["clean", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("may still be resumed when it did not succeed");
    expect(help.out).toContain("$ pipewright clean --keep 20 --dry-run");
  });
});
