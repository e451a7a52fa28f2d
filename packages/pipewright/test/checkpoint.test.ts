import * as nodeFs from "node:fs/promises";
import { appendFile, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { CheckpointError, CheckpointStore, CorruptCheckpointError, Pipeline, type FileSystem } from "../src/index.js";
import { fakeClock, tempDir } from "./helpers.js";

describe("checkpoint file", () => {
  it("keeps the original tool's format and adds what resume and history need", async () => {
    const dir = await tempDir();
    const pipeline = new Pipeline({ name: "full-pipeline", checkpointDir: dir })
      .addStep("stage-raw-data", () => ({ files: 3 }))
      .addStep("derive-metrics", () => {
        throw new Error("ValueError: Missing CNP data");
      });
    const result = await pipeline.execute();

    expect(result.checkpointPath).toBe(join(dir, `full-pipeline_${result.executionId}.json`));
    expect(result.executionId).toMatch(/^\d{8}_\d{6}$/);
    const file = JSON.parse(await readFile(result.checkpointPath!, "utf8")) as Record<string, unknown>;
    expect(file).toMatchObject({
      pipeline_name: "full-pipeline",
      execution_id: result.executionId,
      status: "failed",
      steps: [
        { name: "stage-raw-data", status: "success", attempts: 1, output: { files: 3 }, error: null },
        { name: "derive-metrics", status: "failed", error: "ValueError: Missing CNP data" },
      ],
    });
    expect(new Date(file.timestamp as string).toISOString()).toBe(file.timestamp);
    const step = (file.steps as Array<Record<string, unknown>>)[0]!;
    expect(typeof step.elapsed_time).toBe("number");
    expect(step.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    // The run is over: the journal was folded into the file, nothing else is left behind.
    expect(await readdir(dir)).toEqual([`full-pipeline_${result.executionId}.json`]);
  });

  it("is readable while the execution runs: each finished step is in it before the next starts", async () => {
    const dir = await tempDir();
    const store = new CheckpointStore(dir);
    const seen: string[][] = [];
    const pipeline = new Pipeline({ name: "live", checkpointDir: dir });
    const peek = async () => {
      const [latest] = await store.list("live");
      seen.push(latest!.record.steps.map((s) => s.status));
    };
    pipeline.addStep("one", () => 1).addStep("two", peek).addStep("three", peek);
    await pipeline.execute();
    // "running" is written without waiting for it, so only the finished steps are certain to be there.
    expect(seen.map((statuses) => statuses.filter((s) => s === "success"))).toEqual([["success"], ["success", "success"]]);
    expect(seen[0]![2]).toBe("pending");
  });

  it("gives two executions that start in the same second different ids", async () => {
    const dir = await tempDir();
    const clock = fakeClock();
    const pipeline = new Pipeline({ name: "same-second", checkpointDir: dir }).addStep("a", () => 1);
    // Separate executions: without, the second would be refused while the first holds the pipeline's lock.
    const options = { clock, separateExecution: true };
    const [first, second] = await Promise.all([pipeline.execute(options), pipeline.execute(options)]);
    expect(first.executionId).not.toBe(second.executionId);
    expect([first.executionId, second.executionId].sort()[1]).toMatch(/_2$/);
    expect(await readdir(dir)).toHaveLength(2);
  });

  it.each(["../escape", "/etc/passwd", "a/../../b", "nul\0byte", "..", "con:sole*?"])(
    "keeps the pipeline name %j inside the checkpoint directory",
    async (name) => {
      const dir = await tempDir();
      const result = await new Pipeline({ name, checkpointDir: dir }).addStep("a", () => 1).execute();
      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      expect(result.checkpointPath).toBe(join(dir, files[0]!));
      const file = JSON.parse(await readFile(result.checkpointPath!, "utf8")) as { pipeline_name: string };
      expect(file.pipeline_name).toBe(name);
    },
  );

  it("keeps distinct names apart even when their safe forms would collide", async () => {
    const dir = await tempDir();
    await new Pipeline({ name: "a/b", checkpointDir: dir }).addStep("s", () => 1).execute();
    await new Pipeline({ name: "a_b", checkpointDir: dir }).addStep("s", () => 1).execute();
    const store = new CheckpointStore(dir);
    expect(await store.list("a/b")).toHaveLength(1);
    expect(await store.list("a_b")).toHaveLength(1);
  });

  it("writes nothing when checkpoints are off", async () => {
    const dir = await tempDir();
    const result = await new Pipeline({ name: "off", checkpointDir: join(dir, "cp") }).addStep("a", () => 1).execute({ checkpoint: false });
    expect(result.checkpointPath).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("reading checkpoints", () => {
  async function finishedExecution(dir: string) {
    return new Pipeline({ name: "p", checkpointDir: dir }).addStep("a", () => 1).addStep("b", () => 2).execute();
  }

  it("a corrupt file is an error that names it and says how to discard it", async () => {
    const dir = await tempDir();
    const { checkpointPath } = await finishedExecution(dir);
    await writeFile(checkpointPath!, '{"pipeline_name": "p", "execution_id": ');
    const error = await new CheckpointStore(dir).load(checkpointPath!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).path).toBe(checkpointPath);
    expect((error as Error).message).toContain(checkpointPath!);
    expect((error as Error).message).toMatch(/is corrupt .* run again with --discard-checkpoint \(execute\(\{ discardCorruptCheckpoint: true \}\)\); or delete the file\.$/);
  });

  it("resume stops on a corrupt checkpoint, naming it and the way out; nothing is changed", async () => {
    const dir = await tempDir();
    const { checkpointPath } = await finishedExecution(dir);
    const truncated = (await readFile(checkpointPath!, "utf8")).slice(0, 120);
    await writeFile(checkpointPath!, truncated);
    const ran: string[] = [];
    const pipeline = new Pipeline({ name: "p", checkpointDir: dir }).addStep("a", () => ran.push("a")).addStep("b", () => ran.push("b"));
    const error = await pipeline.execute({ resumeFrom: "latest" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptCheckpointError);
    expect((error as Error).message).toContain(checkpointPath!);
    expect((error as Error).message).toContain("--discard-checkpoint");
    expect(ran).toEqual([]);
    expect(await readFile(checkpointPath!, "utf8")).toBe(truncated);
  });

  it("with discardCorruptCheckpoint, sets the corrupt execution aside (renamed, not deleted) and starts afresh", async () => {
    const dir = await tempDir();
    const { checkpointPath } = await finishedExecution(dir);
    const record = JSON.parse(await readFile(checkpointPath!, "utf8")) as { steps: unknown[] };
    await appendFile(`${checkpointPath}.journal`, "garbage\n" + JSON.stringify({ step: 0, record: record.steps[0] }) + "\n");
    const warnings: string[] = [];
    const ran: string[] = [];
    const pipeline = new Pipeline({ name: "p", checkpointDir: dir }).addStep("a", () => ran.push("a")).addStep("b", () => ran.push("b"));
    pipeline.on("pipelineWarning", (e) => void warnings.push(e.message));
    const result = await pipeline.execute({ resumeFrom: "latest", discardCorruptCheckpoint: true, separateExecution: true });
    expect(result.success).toBe(true);
    expect(ran).toEqual(["a", "b"]);
    expect(warnings.join("\n")).toMatch(/Set aside corrupt checkpoint\(s\): .*\.corrupt-/);
    const names = await readdir(dir);
    expect(names.filter((n) => n.includes(".corrupt-")).sort()).toHaveLength(2); // the snapshot and its journal
    expect((await new CheckpointStore(dir).list("p")).map((e) => e.record.status)).toEqual(["success"]);
  });

  it("a file with the wrong shape names the field", async () => {
    const dir = await tempDir();
    const { checkpointPath } = await finishedExecution(dir);
    await writeFile(checkpointPath!, JSON.stringify({ pipeline_name: "p", execution_id: "x", timestamp: "t", steps: [{ name: "a", status: "weird" }] }));
    await expect(new CheckpointStore(dir).load(checkpointPath!)).rejects.toThrow(/steps\[0\]\.status/);
  });

  it("replays the journal over the snapshot and ignores a torn last line", async () => {
    const dir = await tempDir();
    const { checkpointPath } = await finishedExecution(dir);
    const journal = `${checkpointPath}.journal`;
    const record = JSON.parse(await readFile(checkpointPath!, "utf8")) as { steps: Array<Record<string, unknown>> };
    await appendFile(journal, JSON.stringify({ step: 1, record: { ...record.steps[1], status: "failed", error: "late" } }) + "\n");
    await appendFile(journal, '{"step": 0, "record": {"name": "a", "sta');
    const loaded = await new CheckpointStore(dir).load(checkpointPath!);
    expect(loaded.steps.map((s) => s.status)).toEqual(["success", "failed"]);
    expect(loaded.steps[1]?.error).toBe("late");
  });

  it("a corrupt journal line before the last is an error naming the journal and the line", async () => {
    const dir = await tempDir();
    const { checkpointPath } = await finishedExecution(dir);
    const record = JSON.parse(await readFile(checkpointPath!, "utf8")) as { steps: unknown[] };
    await appendFile(`${checkpointPath}.journal`, "garbage\n" + JSON.stringify({ step: 0, record: record.steps[0] }) + "\n");
    await expect(new CheckpointStore(dir).load(checkpointPath!)).rejects.toThrow(/\.journal is corrupt \(line 1/);
  });
});

describe("summaries: listing executions from their headers", () => {
  /** A file system that records which files were read whole. */
  function readRecorder() {
    const wholeReads: string[] = [];
    const fs: FileSystem = {
      ...nodeFs,
      readFile: ((path: string, options: unknown) => {
        wholeReads.push(path);
        return nodeFs.readFile(path, options as "utf8");
      }) as FileSystem["readFile"],
    };
    return { fs, wholeReads };
  }

  it("writes the step counts into the header, exact once the run has ended", async () => {
    const dir = await tempDir();
    const result = await new Pipeline({ name: "counted", checkpointDir: dir })
      .addStep("a", () => 1)
      .addStep("b", () => {
        throw new Error("no");
      }, { skipOnError: true })
      .addStep("c", () => {
        throw new Error("boom");
      })
      .addStep("d", () => 4)
      .execute();
    const text = await readFile(result.checkpointPath!, "utf8");
    const file = JSON.parse(text) as Record<string, unknown>;
    expect(file.total_steps).toBe(4);
    expect(file.step_counts).toEqual({ pending: 0, running: 0, success: 1, failed: 1, skipped: 2, cancelled: 0, rolled_back: 0 });
    expect(text.indexOf('"step_counts"')).toBeLessThan(text.indexOf('"steps"'));
  });

  it("lists executions newest first, of one pipeline when named, with their counts, reading no file whole", async () => {
    const dir = await tempDir();
    const ok = new Pipeline({ name: "p", checkpointDir: dir }).addStep("a", () => 1).addStep("b", () => 2);
    const first = await ok.execute({ clock: fakeClock() });
    const clock = fakeClock(Date.UTC(2026, 0, 1, 13, 0, 0));
    const failing = new Pipeline({ name: "p", checkpointDir: dir }).addStep("a", () => 1).addStep("b", () => {
      throw new Error("late");
    });
    const second = await failing.execute({ clock, resumeFrom: "latest" });
    await new Pipeline({ name: "other", checkpointDir: dir }).addStep("x", () => 1).execute({ clock });
    const { fs, wholeReads } = readRecorder();

    const summaries = await new CheckpointStore(dir, fs).summaries("p");

    expect(wholeReads).toEqual([]);
    expect(summaries.map((s) => [s.executionId, s.status, s.resumedFrom, s.totalSteps, s.stepCounts.success, s.stepCounts.failed])).toEqual([
      [second.executionId, "failed", first.executionId, 2, 1, 1],
      [first.executionId, "success", undefined, 2, 2, 0],
    ]);
    expect(summaries[0]).toMatchObject({ pipelineName: "p", path: second.checkpointPath, journalBytes: 0, totalTime: second.totalTime });
    expect(await new CheckpointStore(dir).summaries()).toHaveLength(3);
  });

  it("lists a 20,000-step execution without parsing its steps", async () => {
    const dir = await tempDir();
    const pipeline = new Pipeline({ name: "big", checkpointDir: dir });
    for (let i = 0; i < 20_000; i++) pipeline.addStep(`s${i}`, () => i, { checkpoint: false });
    const result = await pipeline.execute({ concurrency: 1 });
    expect((await stat(result.checkpointPath!)).size).toBeGreaterThan(4_000_000);
    const { fs, wholeReads } = readRecorder();
    const parse = vi.spyOn(JSON, "parse");
    try {
      const started = performance.now();
      const [summary] = await new CheckpointStore(dir, fs).summaries();
      const elapsed = performance.now() - started;

      expect(summary).toMatchObject({ totalSteps: 20_000, status: "success" });
      expect(summary?.stepCounts.success).toBe(20_000);
      expect(wholeReads).toEqual([]);
      expect(Math.max(...parse.mock.calls.map(([text]) => text.length))).toBeLessThan(4096);
      expect(elapsed).toBeLessThan(500); // reading it whole takes longer
    } finally {
      parse.mockRestore();
    }
  });

  it("reads a header past its first 4 KB (large params) without reading the file whole", async () => {
    const dir = await tempDir();
    const big = "x".repeat(20_000);
    await new Pipeline({ name: "wide", checkpointDir: dir, params: { BIG: big } }).addStep("a", () => 1).execute();
    const { fs, wholeReads } = readRecorder();
    const store = new CheckpointStore(dir, fs);

    const [summary] = await store.summaries("wide");

    expect(summary?.params.BIG).toBe(big);
    expect(await store.findLatest("wide")).toBe(summary?.path);
    expect(wholeReads).toEqual([]);
  });

  it("counts the steps of a file written before headers had counts", async () => {
    const dir = await tempDir();
    const result = await new Pipeline({ name: "old", checkpointDir: dir }).addStep("a", () => 1).addStep("b", () => 2).execute();
    const { total_steps: _total, step_counts: _counts, ...old } = JSON.parse(await readFile(result.checkpointPath!, "utf8")) as Record<string, unknown>;
    await writeFile(result.checkpointPath!, JSON.stringify(old, null, 2));

    const [summary] = await new CheckpointStore(dir).summaries();

    expect(summary).toMatchObject({ executionId: result.executionId, totalSteps: 2 });
    expect(summary?.stepCounts.success).toBe(2);
  });

  it("says an execution still runs: status running, and a journal holding what happened since the snapshot", async () => {
    const dir = await tempDir();
    const store = new CheckpointStore(dir);
    let seen: Awaited<ReturnType<CheckpointStore["summaries"]>> = [];
    await new Pipeline({ name: "live", checkpointDir: dir })
      .addStep("one", () => 1)
      .addStep("two", async () => {
        seen = await store.summaries("live");
      })
      .execute();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ status: "running", totalSteps: 2 });
    expect(seen[0]?.stepCounts.pending).toBe(2); // as of the first snapshot
    expect(seen[0]?.journalBytes).toBeGreaterThan(0);
    const [after] = await store.summaries("live");
    expect(after).toMatchObject({ status: "success", journalBytes: 0 });
    expect(after?.stepCounts.success).toBe(2);
  });
});
