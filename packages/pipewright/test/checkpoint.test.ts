import { appendFile, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CheckpointError, CheckpointStore, Pipeline } from "../src/index.js";
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
    const [first, second] = await Promise.all([pipeline.execute({ clock }), pipeline.execute({ clock })]);
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
    expect((error as Error).message).toMatch(/corrupt.*Delete it/);
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
