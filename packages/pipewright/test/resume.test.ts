import { readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CheckpointError, Pipeline, type Command } from "../src/index.js";
import { fakeClock, tempDir } from "./helpers.js";

/** A three-step pipeline whose middle step fails while `failing.on` is true. */
function pipelineWithSwitch(dir: string, failing: { on: boolean }, runs: string[], stageArgs = { rawRoot: "data/01_raw" }) {
  const stage: Command<{ rawRoot: string }> = (args) => {
    runs.push("stage");
    return { manifest: `${args.rawRoot}/manifest.parquet` };
  };
  const histories: Command = (_args, ctx) => {
    runs.push("histories");
    if (failing.on) throw new Error("disk full");
    return { from: ctx.outputs["stage"] };
  };
  const metrics: Command = (_args, ctx) => {
    runs.push("metrics");
    return { histories: ctx.outputs["histories"] };
  };
  return new Pipeline({ name: "resumable", checkpointDir: dir })
    .addStep("stage", stage, { args: stageArgs })
    .addStep("histories", histories)
    .addStep("metrics", metrics);
}

describe("resume", () => {
  it("skips steps that succeeded and hands their outputs on", async () => {
    const dir = await tempDir();
    const failing = { on: true };
    const runs: string[] = [];
    const first = await pipelineWithSwitch(dir, failing, runs).execute();
    expect(first.success).toBe(false);

    failing.on = false;
    runs.length = 0;
    const pipeline = pipelineWithSwitch(dir, failing, runs);
    const resumed: string[] = [];
    pipeline.on("stepResumed", (e) => resumed.push(`${e.step}<-${e.from}`));
    const second = await pipeline.execute({ resumeFrom: "latest" });

    expect(second.success).toBe(true);
    expect(runs).toEqual(["histories", "metrics"]);
    expect(resumed).toEqual([`stage<-${first.executionId}`]);
    expect(second.resumedFrom).toBe(first.executionId);
    expect(second.executionId).not.toBe(first.executionId);
    expect(second.steps[0]).toMatchObject({ status: "success", attempts: 0, resumedFrom: first.executionId });
    expect(second.steps[2]?.output).toEqual({ histories: { from: { manifest: "data/01_raw/manifest.parquet" } } });
    const file = JSON.parse(await readFile(second.checkpointPath!, "utf8")) as { resumed_from: string };
    expect(file.resumed_from).toBe(first.executionId);
  });

  it("runs a step again when its args changed", async () => {
    const dir = await tempDir();
    const runs: string[] = [];
    await pipelineWithSwitch(dir, { on: true }, runs).execute();
    runs.length = 0;
    const changed = pipelineWithSwitch(dir, { on: false }, runs, { rawRoot: "elsewhere" });
    const result = await changed.execute({ resumeFrom: "latest" });
    expect(runs).toEqual(["stage", "histories", "metrics"]);
    expect(result.steps[0]?.output).toEqual({ manifest: "elsewhere/manifest.parquet" });
  });

  it("a change upstream runs the steps after it again; a change downstream runs only that step", async () => {
    const dir = await tempDir();
    const runs: string[] = [];
    const build = (rawRoot: string, last: string) =>
      new Pipeline({ name: "downstream", checkpointDir: dir })
        .addStep("stage", (args: { rawRoot: string }) => void runs.push(`stage ${args.rawRoot}`), { args: { rawRoot } })
        .addStep("histories", () => void runs.push("histories"))
        .addStep("metrics", (args: { tag: string }) => void runs.push(`metrics ${args.tag}`), { args: { tag: last } });
    await build("a", "v1").execute();

    runs.length = 0;
    await build("a", "v2").execute({ resumeFrom: "latest" });
    expect(runs).toEqual(["metrics v2"]);

    runs.length = 0;
    await build("b", "v2").execute({ resumeFrom: "latest" });
    expect(runs).toEqual(["stage b", "histories", "metrics v2"]);
  });

  it("runs a step again when its command's code changed", async () => {
    const dir = await tempDir();
    const build = (version: number) =>
      new Pipeline({ name: "code-change", checkpointDir: dir }).addStep(
        "a",
        version === 1 ? function step() { return 1; } : function step() { return 2; },
      );
    await build(1).execute();
    const result = await build(2).execute({ resumeFrom: "latest" });
    expect(result.steps[0]).toMatchObject({ output: 2, resumedFrom: undefined });
  });

  it("resumes a given execution id, not only the latest", async () => {
    const dir = await tempDir();
    const runs: string[] = [];
    const clock = fakeClock();
    const first = await pipelineWithSwitch(dir, { on: true }, runs).execute({ clock });
    await pipelineWithSwitch(dir, { on: true }, runs, { rawRoot: "other" }).execute({ clock });
    runs.length = 0;
    const result = await pipelineWithSwitch(dir, { on: false }, runs).execute({ resumeFrom: first.executionId });
    expect(result.resumedFrom).toBe(first.executionId);
    expect(runs).toEqual(["histories", "metrics"]);
  });

  it("'latest' is the newest execution by recorded time", async () => {
    const dir = await tempDir();
    const runs: string[] = [];
    const early = fakeClock(Date.UTC(2026, 0, 1));
    const late = fakeClock(Date.UTC(2026, 5, 1));
    const newest = await pipelineWithSwitch(dir, { on: true }, runs).execute({ clock: late });
    await pipelineWithSwitch(dir, { on: true }, runs).execute({ clock: early });
    const result = await pipelineWithSwitch(dir, { on: false }, runs).execute({ resumeFrom: "latest" });
    expect(result.resumedFrom).toBe(newest.executionId);
  });

  it("with no checkpoint says so and starts fresh", async () => {
    const dir = await tempDir();
    const runs: string[] = [];
    const pipeline = pipelineWithSwitch(dir, { on: false }, runs);
    const warnings: string[] = [];
    pipeline.on("pipelineWarning", (e) => warnings.push(e.message));
    const result = await pipeline.execute({ resumeFrom: "latest" });
    expect(result.success).toBe(true);
    expect(result.resumedFrom).toBeUndefined();
    expect(runs).toEqual(["stage", "histories", "metrics"]);
    expect(warnings).toEqual([expect.stringMatching(/Nothing to resume: no checkpoint for pipeline "resumable".*starting fresh/)]);
  });

  it("a corrupt checkpoint is a CheckpointError naming the file, and nothing runs", async () => {
    const dir = await tempDir();
    const runs: string[] = [];
    const first = await pipelineWithSwitch(dir, { on: true }, runs).execute();
    await writeFile(first.checkpointPath!, "{ not json");
    runs.length = 0;
    const error = await pipelineWithSwitch(dir, { on: false }, runs).execute({ resumeFrom: first.executionId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toContain(first.checkpointPath!);
    expect(runs).toEqual([]);
  });

  it("always runs again a step that opted out of checkpoints", async () => {
    const dir = await tempDir();
    let calls = 0;
    const build = () =>
      new Pipeline({ name: "no-checkpoint-step", checkpointDir: dir })
        .addStep("cheap", () => ++calls, { checkpoint: false })
        .addStep("fails", () => {
          throw new Error("x");
        });
    await build().execute();
    await build().execute({ resumeFrom: "latest" });
    expect(calls).toBe(2);
  });

  it("a resumed run whose steps all succeeded before runs nothing", async () => {
    const dir = await tempDir();
    const runs: string[] = [];
    await pipelineWithSwitch(dir, { on: false }, runs).execute();
    runs.length = 0;
    const result = await pipelineWithSwitch(dir, { on: false }, runs).execute({ resumeFrom: "latest" });
    expect(runs).toEqual([]);
    expect(result).toMatchObject({ success: true, successfulSteps: 3 });
  });
});
