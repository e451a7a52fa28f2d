import { describe, expect, it } from "vitest";
import { Pipeline, type StepContext } from "../src/index.js";
import { fakeClock, tempDir } from "./helpers.js";

async function threeSteps(log: string[], options: { failRollbackOf?: string } = {}) {
  const rollbackOf = (name: string) => () => {
    log.push(`rollback ${name}`);
    if (options.failRollbackOf === name) throw new Error(`cannot undo ${name}`);
  };
  return new Pipeline({ name: "three-steps", checkpointDir: await tempDir() })
    .addStep("stage-raw-data", () => log.push("stage"), { rollback: rollbackOf("stage-raw-data") })
    .addStep("build-histories", () => log.push("histories"), { rollback: rollbackOf("build-histories") })
    .addStep(
      "derive-metrics",
      () => {
        throw new Error("ValueError: Missing CNP data");
      },
      { rollback: rollbackOf("derive-metrics") },
    );
}

describe("rollback", () => {
  it("rolls back steps 2 then 1 when step 3 fails", async () => {
    const log: string[] = [];
    const pipeline = await threeSteps(log);
    const result = await pipeline.execute({ enableRollback: true, clock: fakeClock() });

    expect(log).toEqual(["stage", "histories", "rollback build-histories", "rollback stage-raw-data"]);
    expect(result.success).toBe(false);
    expect(result.steps.map((s) => s.status)).toEqual(["rolled_back", "rolled_back", "failed"]);
    expect(result.rolledBackSteps).toBe(2);
    expect(result.failedSteps).toBe(1);
  });

  it("hands a registry rollback command the step's output, as ctx.outputs[stepName]", async () => {
    const undone: unknown[] = [];
    const registry = {
      stage: () => ({ created: ["a.parquet", "b.parquet"] }),
      unstage: (_args: unknown, ctx: StepContext) => void undone.push(ctx.outputs[ctx.stepName]),
      fail: () => {
        throw new Error("boom");
      },
    };
    const pipeline = new Pipeline({ name: "undo", checkpointDir: await tempDir(), registry })
      .addStep("stage", "stage", { rollback: { command: "unstage", args: {} } })
      .addStep("metrics", "fail");
    const result = await pipeline.execute({ enableRollback: true, clock: fakeClock() });
    expect(result.steps.map((s) => s.status)).toEqual(["rolled_back", "failed"]);
    expect(undone).toEqual([{ created: ["a.parquet", "b.parquet"] }]);
  });

  it("does nothing unless enabled", async () => {
    const log: string[] = [];
    const result = await (await threeSteps(log)).execute({ clock: fakeClock() });
    expect(log).toEqual(["stage", "histories"]);
    expect(result.steps.map((s) => s.status)).toEqual(["success", "success", "failed"]);
  });

  it("records a rollback that throws and still runs the others", async () => {
    const log: string[] = [];
    const pipeline = await threeSteps(log, { failRollbackOf: "build-histories" });
    const failures: string[] = [];
    pipeline.on("stepRollbackFailed", (e) => failures.push(`${e.step}: ${e.error}`));
    const result = await pipeline.execute({ enableRollback: true, clock: fakeClock() });

    expect(log).toEqual(["stage", "histories", "rollback build-histories", "rollback stage-raw-data"]);
    expect(result.steps[1]).toMatchObject({ status: "success", rollbackError: "cannot undo build-histories" });
    expect(result.steps[0]?.status).toBe("rolled_back");
    expect(failures).toEqual(["build-histories: cannot undo build-histories"]);
  });

  it("runs async rollbacks one after the other, latest first", async () => {
    const log: string[] = [];
    const slowUndo = (name: string, ms: number) => async () => {
      await new Promise((r) => setTimeout(r, ms));
      log.push(name);
    };
    const pipeline = new Pipeline({ name: "async-rollback", checkpointDir: await tempDir() })
      .addStep("a", () => null, { rollback: slowUndo("a", 1) })
      .addStep("b", () => null, { rollback: slowUndo("b", 20) })
      .addStep("c", () => {
        throw new Error("boom");
      });
    await pipeline.execute({ enableRollback: true });
    expect(log).toEqual(["b", "a"]);
  });

  it("hands the step's output to its rollback and leaves steps without one as they are", async () => {
    const undone: unknown[] = [];
    const pipeline = new Pipeline({ name: "output-rollback", checkpointDir: await tempDir() })
      .addStep("make-dir", () => ({ dir: "/tmp/x" }), { rollback: (ctx) => undone.push(ctx.output) })
      .addStep("no-undo", () => 1)
      .addStep("fail", () => {
        throw new Error("boom");
      });
    const result = await pipeline.execute({ enableRollback: true });
    expect(undone).toEqual([{ dir: "/tmp/x" }]);
    expect(result.steps.map((s) => s.status)).toEqual(["rolled_back", "success", "failed"]);
  });

  it("is not interrupted by cancellation", async () => {
    const controller = new AbortController();
    const undone: string[] = [];
    const pipeline = new Pipeline({ name: "cancel-rollback", checkpointDir: await tempDir() })
      .addStep("a", () => null, {
        rollback: async () => {
          await new Promise((r) => setTimeout(r, 20)); // still running when...
          undone.push("a");
        },
      })
      .addStep("b", () => null, { rollback: () => void controller.abort(new Error("second Ctrl-C")) }) // ...this aborts again
      .addStep(
        "wait",
        (_args, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener("abort", () => reject(new Error("aborted")));
            setTimeout(() => controller.abort(new Error("Ctrl-C")), 5);
          }),
      );
    const result = await pipeline.execute({ enableRollback: true, signal: controller.signal });
    expect(result.status).toBe("cancelled");
    expect(undone).toEqual(["a"]);
    expect(result.steps.map((s) => s.status)).toEqual(["rolled_back", "rolled_back", "cancelled"]);
  });

  it("rolls back with a registry command, as YAML pipelines do", async () => {
    const removed: unknown[] = [];
    const registry = {
      create: () => "made",
      remove: (args: { path: string }) => void removed.push(args.path),
      explode: () => {
        throw new Error("boom");
      },
    };
    const pipeline = new Pipeline({ name: "registry-rollback", checkpointDir: await tempDir(), registry })
      .addStep("create", "create", { rollback: { command: "remove", args: { path: "data/02_stage" } } })
      .addStep("explode", "explode");
    const result = await pipeline.execute({ enableRollback: true });
    expect(removed).toEqual(["data/02_stage"]);
    expect(result.steps[0]?.status).toBe("rolled_back");
  });
});

describe("skipOnError and stopOnError", () => {
  it("skipOnError marks the step skipped, keeps its error, and the run succeeds", async () => {
    const ran: string[] = [];
    const pipeline = new Pipeline({ name: "optional", checkpointDir: await tempDir() })
      .addStep(
        "optional-step",
        () => {
          throw new Error("not critical");
        },
        { skipOnError: true, retryCount: 1, retryDelay: 0 },
      )
      .addStep("next", () => ran.push("next"));
    const result = await pipeline.execute({ clock: fakeClock() });
    expect(result.success).toBe(true);
    expect(result.skippedSteps).toBe(1);
    expect(result.steps[0]).toMatchObject({ status: "skipped", attempts: 2, error: "not critical" });
    expect(result.steps[0]?.skipReason).toMatch(/failed after 2 attempts/);
    expect(ran).toEqual(["next"]);
  });

  it("stopOnError stops at the first failure; later steps are marked as not run because of it", async () => {
    const ran: string[] = [];
    const pipeline = new Pipeline({ name: "stop", checkpointDir: await tempDir() })
      .addStep("a", () => {
        throw new Error("a failed");
      })
      .addStep("b", () => ran.push("b"));
    const result = await pipeline.execute();
    expect(ran).toEqual([]);
    expect(result.steps.map((s) => s.status)).toEqual(["failed", "skipped"]);
    expect(result.steps[1]?.skipReason).toBe('not run: step "a" failed');
    expect(result.status).toBe("failed");
  });

  it("stopOnError: false goes on after a failure, but the result is not a success", async () => {
    const ran: string[] = [];
    const pipeline = new Pipeline({ name: "go-on", checkpointDir: await tempDir() })
      .addStep("a", () => {
        throw new Error("a failed");
      })
      .addStep("b", () => ran.push("b"));
    const result = await pipeline.execute({ stopOnError: false });
    expect(ran).toEqual(["b"]);
    expect(result.success).toBe(false);
    expect(result).toMatchObject({ successfulSteps: 1, failedSteps: 1 });
  });
});
