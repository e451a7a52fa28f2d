import { describe, expect, it } from "vitest";
import { Pipeline, type PipelineEvents } from "../src/index.js";
import { fakeClock, tempDir } from "./helpers.js";

describe("events and hooks", () => {
  it("emits every state change in order, with the execution's name and id", async () => {
    const pipeline = new Pipeline({ name: "observed", checkpointDir: await tempDir() })
      .addStep(
        "flaky",
        (_args, ctx) => {
          ctx.log(`attempt ${ctx.attempt}`);
          ctx.progress(ctx.attempt, 2);
          if (ctx.attempt === 1) throw new Error("first try fails");
          return "ok";
        },
        { retryCount: 1, retryDelay: 0.1 },
      )
      .addStep(
        "optional",
        () => {
          throw new Error("nope");
        },
        { skipOnError: true },
      );
    const seen: string[] = [];
    const ids = new Set<string>();
    const events: Array<keyof PipelineEvents> = [
      "pipelineStarted",
      "stepStarted",
      "stepLog",
      "stepProgress",
      "stepRetrying",
      "stepSucceeded",
      "stepSkipped",
      "pipelineFinished",
    ];
    for (const event of events) {
      pipeline.on(event, (payload) => {
        ids.add(`${payload.pipelineName}/${payload.executionId}`);
        seen.push("step" in payload ? `${event}:${payload.step}` : event);
      });
    }
    const result = await pipeline.execute({ clock: fakeClock() });
    expect(seen).toEqual([
      "pipelineStarted",
      "stepStarted:flaky",
      "stepLog:flaky",
      "stepProgress:flaky",
      "stepRetrying:flaky",
      "stepStarted:flaky",
      "stepLog:flaky",
      "stepProgress:flaky",
      "stepSucceeded:flaky",
      "stepStarted:optional",
      "stepSkipped:optional",
      "pipelineFinished",
    ]);
    expect(ids).toEqual(new Set([`observed/${result.executionId}`]));
  });

  it("a throwing hook is reported and does not break the run", async () => {
    const pipeline = new Pipeline({ name: "bad-hook", checkpointDir: await tempDir() }).addStep("a", () => 1).addStep("b", () => 2);
    const reported: string[] = [];
    pipeline.on("stepSucceeded", () => {
      throw new Error("hook bug");
    });
    pipeline.on("stepStarted", async () => {
      await Promise.resolve();
      throw new Error("async hook bug");
    });
    pipeline.on("hookError", (e) => reported.push(`${e.event}: ${e.error}`));
    const result = await pipeline.execute();
    await new Promise((r) => setImmediate(r));
    expect(result.success).toBe(true);
    expect(reported.filter((r) => r === "stepSucceeded: hook bug")).toHaveLength(2);
    expect(reported.filter((r) => r === "stepStarted: async hook bug")).toHaveLength(2);
  });

  it("on() returns a function that removes the listener", async () => {
    const pipeline = new Pipeline({ name: "unsubscribe", checkpointDir: await tempDir() }).addStep("a", () => 1);
    let calls = 0;
    const off = pipeline.on("stepSucceeded", () => void calls++);
    await pipeline.execute();
    off();
    await pipeline.execute();
    expect(calls).toBe(1);
  });

  it("pipelineFinished carries the result", async () => {
    const pipeline = new Pipeline({ name: "finished", checkpointDir: await tempDir() }).addStep("a", () => ({ n: 1 }));
    let finished: PipelineEvents["pipelineFinished"] | undefined;
    pipeline.on("pipelineFinished", (e) => void (finished = e));
    const result = await pipeline.execute();
    expect(finished?.result).toEqual(result);
    expect(finished?.status).toBe("success");
  });

  it("stepCompleted fires once for every way a step ends, with the step's result", async () => {
    const pipeline = new Pipeline({ name: "completed", checkpointDir: await tempDir() })
      .addStep("ok", () => 1)
      .addStep("skipped", () => 2, { condition: () => false })
      .addStep("broken", () => {
        throw new Error("boom");
      })
      .addStep("never", () => 3);
    const completed: string[] = [];
    pipeline.on("stepCompleted", (e) => completed.push(`${e.step}:${e.result.status}${e.result.error ? `:${e.result.error}` : ""}`));
    await pipeline.execute();
    expect(completed).toEqual(["ok:success", "skipped:skipped", "broken:failed:boom", "never:skipped"]);
  });
});

