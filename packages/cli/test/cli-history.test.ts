import { CheckpointStore, Pipeline } from "pipewright";
import { describe, expect, it, vi } from "vitest";
import { markCrashed, recordExecutions } from "./executions.js";
import { runCli, tempDir, type CliRun } from "./helpers.js";

/** The table row of an execution: the line that starts with its id. */
function row(out: string, id: string): string {
  return out.split("\n").find((line) => line.startsWith(`  ${id} `)) ?? `(no row for ${id})`;
}

describe("pipewright history", () => {
  it("lists executions newest first: id, pipeline, status, start, duration, step counts, resumed from", async () => {
    const dir = await tempDir();
    const e = await recordExecutions(dir);

    const { code, out, err } = await runCli(["history", "--checkpoint-dir", dir]);

    expect(err).toBe("");
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ {2}id +pipeline +status +started +duration +steps +resumed from$/);
    const ids = [e.labCancelled, e.etlFailedAgain, e.etlResumed, e.etlFailed].map((r) => r.executionId);
    expect(lines.slice(1).map((line) => line.split(/ +/)[1])).toEqual(ids);
    expect(row(out, e.labCancelled.executionId)).toMatch(/ lab +■ cancelled +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d+\.\d\ds +4 ok · 0 failed · 1 skipped · 1 cancelled$/);
    expect(row(out, e.etlResumed.executionId)).toMatch(new RegExp(` etl +✓ success .* 2 ok · 0 failed · 0 skipped +${e.etlFailed.executionId}$`));
    expect(row(out, e.etlFailed.executionId)).toMatch(/ etl +✗ failed .* 1 ok · 1 failed · 0 skipped$/);
  });

  it("--pipeline and --limit choose what is listed", async () => {
    const dir = await tempDir();
    const e = await recordExecutions(dir);

    const { code, out } = await runCli(["history", "--pipeline", "etl", "--limit", "2", "--checkpoint-dir", dir]);

    expect(code).toBe(0);
    const ids = out.split("\n").filter((line) => /^ {2}\d/.test(line)).map((line) => line.trim().split(/ +/)[0]);
    expect(ids).toEqual([e.etlFailedAgain.executionId, e.etlResumed.executionId]);
    expect(out).toContain("2 of 3 executions (--limit 2)");
  });

  it("--json prints one array, newest first, with the step counts", async () => {
    const dir = await tempDir();
    const e = await recordExecutions(dir);

    const { code, out } = await runCli(["history", "--json", "--checkpoint-dir", dir]);

    expect(code).toBe(0);
    const list = JSON.parse(out) as Array<Record<string, unknown>>;
    expect(list.map((x) => x.executionId)).toEqual([e.labCancelled, e.etlFailedAgain, e.etlResumed, e.etlFailed].map((r) => r.executionId));
    expect(list[2]).toMatchObject({
      pipelineName: "etl",
      status: "success",
      resumedFrom: e.etlFailed.executionId,
      totalSteps: 2,
      stepCounts: { success: 2, failed: 0, skipped: 0 },
      path: e.etlResumed.checkpointPath,
      totalTime: e.etlResumed.totalTime,
    });
  });

  it("reads only the checkpoints' headers, never a whole execution", async () => {
    const dir = await tempDir();
    await recordExecutions(dir);
    const load = vi.spyOn(CheckpointStore.prototype, "load");
    const list = vi.spyOn(CheckpointStore.prototype, "list");
    try {
      expect((await runCli(["history", "--checkpoint-dir", dir])).code).toBe(0);
      expect(load).not.toHaveBeenCalled();
      expect(list).not.toHaveBeenCalled();
    } finally {
      load.mockRestore();
      list.mockRestore();
    }
  });

  it("shows an execution that is running, and one whose process is gone", async () => {
    const dir = await tempDir();
    let during: CliRun | undefined;
    const live = await new Pipeline({ name: "live", checkpointDir: dir })
      .addStep("one", () => 1)
      .addStep("peek", async () => {
        during = await runCli(["history", "--checkpoint-dir", dir]);
      })
      .execute();
    expect(row(during!.out, live.executionId)).toMatch(/ live +… running .* — +0 ok · 0 failed · 0 skipped · 2 not run \(at the last snapshot\)$/);

    const pid = await markCrashed(live.checkpointPath!);
    const after = await runCli(["history", "--checkpoint-dir", dir]);
    expect(row(after.out, live.executionId)).toContain(`… running (process ${pid} gone)`);
    const json = JSON.parse((await runCli(["history", "--json", "--checkpoint-dir", dir])).out) as Array<Record<string, unknown>>;
    expect(json[0]).toMatchObject({ status: "running", process: "gone" });
  });

  it("says when there is nothing to list", async () => {
    const dir = await tempDir();
    expect(await runCli(["history", "--checkpoint-dir", dir])).toEqual({ code: 0, out: `No executions in ${dir}\n`, err: "" });
    expect((await runCli(["history", "--pipeline", "etl", "--checkpoint-dir", dir])).out).toBe(`No executions of pipeline "etl" in ${dir}\n`);
    expect(JSON.parse((await runCli(["history", "--json", "--checkpoint-dir", dir])).out)).toEqual([]);
  });

  it("rejects a bad --limit with exit 2, and shows examples in --help", async () => {
    for (const limit of ["0", "ten", "-1"]) {
      const { code, err } = await runCli(["history", "--limit", limit]);
      expect(code).toBe(2);
      expect(err).toContain("--limit");
    }
    const help = await runCli(["history", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("Examples:");
    expect(help.out).toContain("$ pipewright history --pipeline word-stats --limit 10");
  });
});
