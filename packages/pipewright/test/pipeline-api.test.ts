import { describe, expect, it } from "vitest";
import { Pipeline, ValidationError, type StepContext } from "../src/index.js";
import { tempDir } from "./helpers.js";

describe("Pipeline API", () => {
  it("runs the README example and reports every result field", async () => {
    const calls: unknown[] = [];
    const stageAll = (args: { rawRoot: string; workers: number }) => {
      calls.push(args);
      return { staged: 12 };
    };
    const pipeline = new Pipeline({ name: "my-pipeline", description: "Custom data processing workflow", checkpointDir: await tempDir() });
    pipeline
      .addStep("stage-data", stageAll, { args: { rawRoot: "data/01_raw", workers: 8 }, retryCount: 2, rollback: () => {} })
      .addStep("build-histories", () => undefined, { skipOnError: false });
    const result = await pipeline.execute({ stopOnError: true, enableRollback: true });

    expect(calls).toEqual([{ rawRoot: "data/01_raw", workers: 8 }]);
    expect(result).toMatchObject({
      pipelineName: "my-pipeline",
      success: true,
      status: "success",
      totalSteps: 2,
      successfulSteps: 2,
      failedSteps: 0,
      skippedSteps: 0,
    });
    expect(result.totalTime).toBeGreaterThanOrEqual(0);
    expect(result.steps.map((s) => [s.name, s.status, s.attempts, s.output])).toEqual([
      ["stage-data", "success", 1, { staged: 12 }],
      ["build-histories", "success", 1, null],
    ]);
    expect(typeof result.steps[0]?.elapsedTime).toBe("number");
  });

  it("gives commands a context with signal, attempt, ids, earlier outputs and params", async () => {
    let seen: StepContext | undefined;
    const pipeline = new Pipeline({ name: "ctx", checkpointDir: await tempDir(), params: { CHIP: "67" } })
      .addStep("first", () => ({ path: "x.parquet" }))
      .addStep("second", async (_args, ctx) => {
        seen = ctx;
        await Promise.resolve();
      });
    const result = await pipeline.execute({ params: { MODE: "fast" } });
    expect(seen?.signal).toBeInstanceOf(AbortSignal);
    expect(seen).toMatchObject({
      attempt: 1,
      executionId: result.executionId,
      pipelineName: "ctx",
      stepName: "second",
      outputs: { first: { path: "x.parquet" } },
      params: { CHIP: "67", MODE: "fast" },
    });
  });

  it("hands on outputs as plain JSON, exactly as a resume would read them back", async () => {
    class Point {
      constructor(
        public x: number,
        public when: Date,
      ) {}
    }
    const pipeline = new Pipeline({ name: "json", checkpointDir: await tempDir() }).addStep("a", () => new Point(1, new Date(0)));
    const result = await pipeline.execute();
    expect(result.steps[0]?.output).toEqual({ x: 1, when: "1970-01-01T00:00:00.000Z" });
    expect(Object.getPrototypeOf(result.steps[0]?.output)).toBe(Object.prototype);
  });

  it("fails a step whose output is not JSON, without retrying", async () => {
    let calls = 0;
    const cyclic = () => {
      calls++;
      const o: Record<string, unknown> = {};
      o.self = o;
      return o;
    };
    const result = await new Pipeline({ name: "cyclic", checkpointDir: await tempDir() }).addStep("a", cyclic, { retryCount: 3 }).execute();
    expect(calls).toBe(1);
    expect(result.steps[0]?.error).toMatch(/output of step "a" is not plain JSON/);
  });

  it("checks options early, with one message shape", () => {
    const pipeline = new Pipeline({ name: "validate" });
    expect(() => pipeline.addStep("a", () => 1, { retryCount: -1 })).toThrow("Step \"a\": expected `retryCount` to be an integer ≥ 0, got `-1`");
    expect(() => pipeline.addStep("a", () => 1, { backoff: 0.5 })).toThrow("expected `backoff` to be a number ≥ 1, got `0.5`");
    expect(() => pipeline.addStep("a", () => 1, { jitter: 2 })).toThrow(/`jitter` to be a number from 0 to 1/);
    expect(() => new Pipeline({ name: "" })).toThrow(ValidationError);
    pipeline.addStep("a", () => 1);
    expect(() => pipeline.addStep("a", () => 2)).toThrow('Duplicate step name "a"');
    expect(() => pipeline.addStep("b", "no_such_command")).toThrow('Step "b": Unknown command: no_such_command');
  });

  it("takes its registry as a Map as well as an object", async () => {
    const registry = new Map([["double", (args: { n: number }) => args.n * 2]]);
    const pipeline = new Pipeline({ name: "map-registry", registry, checkpointDir: await tempDir() }).addStep("d", "double", { args: { n: 21 } });
    expect((await pipeline.execute()).steps[0]?.output).toBe(42);
    expect(pipeline.toSpec().steps[0]).toMatchObject({ command: "double" });
  });

  it("defaults the checkpoint directory to data/.pipeline_checkpoints", () => {
    expect(new Pipeline({ name: "x" }).checkpointDir).toBe("data/.pipeline_checkpoints");
  });

  it("can be executed again: each execution is independent", async () => {
    let n = 0;
    const pipeline = new Pipeline({ name: "again", checkpointDir: await tempDir() }).addStep("a", () => ++n);
    const first = await pipeline.execute();
    const second = await pipeline.execute();
    expect(first.steps[0]?.output).toBe(1);
    expect(second.steps[0]?.output).toBe(2);
    expect(first.executionId).not.toBe(second.executionId);
  });

  it("can be cancelled during a long run of synchronous steps", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("timer")), 20);
    let ran = 0;
    const busy = () => {
      const until = performance.now() + 1;
      while (performance.now() < until) ran += 0; // a synchronous command that takes 1 ms
      ran++;
    };
    const pipeline = new Pipeline({ name: "sync-steps" });
    for (let i = 0; i < 1000; i++) pipeline.addStep(`s${i}`, busy);
    const result = await pipeline.execute({ signal: controller.signal, checkpoint: false });
    expect(result.status).toBe("cancelled");
    expect(ran).toBeLessThan(500);
  });

  it("cancellation aborts the running command's signal and records the execution as cancelled", async () => {
    const controller = new AbortController();
    let after = false;
    const pipeline = new Pipeline({ name: "cancel", checkpointDir: await tempDir() })
      .addStep(
        "long",
        (_args, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener("abort", () => reject(new Error("stopped")));
            setTimeout(() => controller.abort(new Error("SIGINT")), 5);
          }),
      )
      .addStep("after", () => void (after = true));
    const result = await pipeline.execute({ signal: controller.signal });
    expect(result.status).toBe("cancelled");
    expect(result.steps[0]?.error).toMatch(/cancelled: SIGINT/);
    expect(after).toBe(false);
  });
});
