import { describe, expect, it } from "vitest";
import { CheckpointStore, Pipeline, ValidationError, type Command, type StepContext } from "../src/index.js";
import { fakeClock, tempDir } from "./helpers.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Records when each step starts and ends, to prove overlap in time. */
function timeline() {
  const events: string[] = [];
  const step =
    (name: string, ms: number, output: unknown = name): Command =>
    async () => {
      events.push(`${name}:start`);
      await sleep(ms);
      events.push(`${name}:end`);
      return output;
    };
  return { events, step };
}

/** A command that runs until its signal aborts, then rejects with the reason. */
function waitForAbort(events: string[], name: string): Command {
  return (_args, ctx: StepContext) =>
    new Promise((_resolve, reject) => {
      events.push(`${name}:start`);
      ctx.signal.addEventListener("abort", () => {
        events.push(`${name}:aborted`);
        reject(ctx.signal.reason as Error);
      });
    });
}

describe("dependencies and parallelism", () => {
  it("runs a diamond A → (B, C) → D with B and C overlapping in time", async () => {
    const { events, step } = timeline();
    const pipeline = new Pipeline({ name: "diamond", checkpointDir: await tempDir() })
      .addStep("A", step("A", 5))
      .addStep("B", step("B", 40), { dependsOn: ["A"] })
      .addStep("C", step("C", 40), { dependsOn: ["A"] })
      .addStep("D", step("D", 5), { dependsOn: ["B", "C"] });
    const result = await pipeline.execute({ concurrency: 4 });

    expect(result.success).toBe(true);
    expect(events.slice(0, 2)).toEqual(["A:start", "A:end"]);
    // Both started before either ended.
    expect(events.indexOf("C:start")).toBeLessThan(events.indexOf("B:end"));
    expect(events.indexOf("B:start")).toBeLessThan(events.indexOf("C:end"));
    expect(events.slice(-2)).toEqual(["D:start", "D:end"]);
  });

  it("keeps plain pipelines in order: a step without dependsOn waits for the one before it", async () => {
    const { events, step } = timeline();
    const pipeline = new Pipeline({ name: "plain", checkpointDir: await tempDir() })
      .addStep("a", step("a", 10))
      .addStep("b", step("b", 1))
      .addStep("c", step("c", 1));
    await pipeline.execute({ concurrency: 8 });
    expect(events).toEqual(["a:start", "a:end", "b:start", "b:end", "c:start", "c:end"]);
  });

  it("never runs more steps at once than the concurrency allows", async () => {
    let running = 0;
    let most = 0;
    const work: Command = async () => {
      most = Math.max(most, ++running);
      await sleep(5);
      running--;
    };
    const pipeline = new Pipeline({ name: "limited", checkpointDir: await tempDir() });
    for (let i = 0; i < 12; i++) pipeline.addStep(`s${i}`, work, { dependsOn: [] });
    const result = await pipeline.execute({ concurrency: 3 });
    expect(result.success).toBe(true);
    expect(most).toBe(3);
  });

  it("addParallelGroup: members run side by side after the step before, and the next step waits for all of them", async () => {
    const { events, step } = timeline();
    const pipeline = new Pipeline({ name: "group", checkpointDir: await tempDir() })
      .addStep("prepare", step("prepare", 1))
      .addParallelGroup("analyses", [
        { name: "fast", command: step("fast", 5) },
        { name: "slow", command: step("slow", 40) },
      ])
      .addStep("report", step("report", 1));
    const seen: Array<{ name: string; dependsOn: string[]; group: string | undefined }> = [];
    pipeline.on("pipelineStarted", (e) => seen.push(...e.graph));
    const result = await pipeline.execute({ concurrency: 4 });

    expect(result.steps.map((s) => s.name)).toEqual(["prepare", "fast", "slow", "report"]);
    expect(events.indexOf("slow:start")).toBeLessThan(events.indexOf("fast:end"));
    expect(events.indexOf("report:start")).toBeGreaterThan(events.indexOf("slow:end"));
    expect(seen.find((s) => s.name === "report")?.dependsOn).toEqual(["fast", "slow"]);
    expect(seen.find((s) => s.name === "slow")).toMatchObject({ dependsOn: ["prepare"], group: "analyses" });
  });

  it("reports unknown dependencies with a hint, and a cycle by naming every step on it", async () => {
    const noop = () => null;
    const unknown = new Pipeline({ name: "unknown" }).addStep("stage", noop).addStep("metrics", noop, { dependsOn: ["stgae"] });
    expect(() => unknown.graph()).toThrow('Step "metrics" depends on "stgae", which is not a step of this pipeline (did you mean "stage"?)');

    const cyclic = new Pipeline({ name: "cyclic" })
      .addStep("start", noop)
      .addStep("a", noop, { dependsOn: ["c"] })
      .addStep("b", noop, { dependsOn: ["a"] })
      .addStep("c", noop, { dependsOn: ["b"] });
    const error = await cyclic.execute().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/Steps "(a|b|c)" → "(a|b|c)" → "(a|b|c)" → "\1" form a cycle/);
    expect((error as ValidationError).message).toContain('"a" → "b" → "c" → "a"');

    const self = new Pipeline({ name: "self" }).addStep("a", noop, { dependsOn: ["a"] });
    expect(() => self.graph()).toThrow('Step "a" depends on itself');
  });
});

describe("failure semantics", () => {
  it("a failure in B cancels C (through its signal) and rolls back A, in reverse completion order", async () => {
    const events: string[] = [];
    const pipeline = new Pipeline({ name: "fail-fast", checkpointDir: await tempDir() })
      .addStep("A", () => events.push("A") && "a", { rollback: () => void events.push("undo A") })
      .addStep(
        "B",
        async () => {
          await sleep(20);
          throw new Error("B broke");
        },
        { dependsOn: ["A"] },
      )
      .addStep("C", waitForAbort(events, "C"), { dependsOn: ["A"], rollback: () => void events.push("undo C") })
      .addStep("D", () => events.push("D"), { dependsOn: ["B", "C"] });
    const result = await pipeline.execute({ enableRollback: true, concurrency: 4 });

    expect(result.status).toBe("failed");
    expect(events).toEqual(["A", "C:start", "C:aborted", "undo A"]);
    const status = Object.fromEntries(result.steps.map((s) => [s.name, s.status]));
    expect(status).toEqual({ A: "rolled_back", B: "failed", C: "cancelled", D: "skipped" });
    expect(result.steps[2]?.error).toBe('cancelled: step "B" failed');
    expect(result.steps[3]?.skipReason).toMatch(/^not run: step "(B" failed|C" was cancelled)$/);
  });

  it("failFast: false lets running steps finish, then stops", async () => {
    const { events, step } = timeline();
    const pipeline = new Pipeline({ name: "no-fail-fast", checkpointDir: await tempDir() })
      .addStep("B", () => Promise.reject(new Error("B broke")), { dependsOn: [] })
      .addStep("C", step("C", 20), { dependsOn: [] })
      .addStep("D", step("D", 1), { dependsOn: ["C"] });
    const result = await pipeline.execute({ failFast: false, concurrency: 2 });
    expect(events).toEqual(["C:start", "C:end"]);
    expect(result.steps.map((s) => s.status)).toEqual(["failed", "success", "pending"]);
  });

  it("stopOnError: false skips only what named the failed step; independent branches and later plain steps run", async () => {
    const ran: string[] = [];
    const ok = (name: string) => () => void ran.push(name);
    const pipeline = new Pipeline({ name: "go-on", checkpointDir: await tempDir() })
      .addStep("broken", () => {
        throw new Error("nope");
      })
      .addStep("needs-broken", ok("needs-broken"), { dependsOn: ["broken"] })
      .addStep("needs-that", ok("needs-that"), { dependsOn: ["needs-broken"] })
      .addStep("after-in-order", ok("after-in-order"))
      .addStep("independent", ok("independent"), { dependsOn: [] });
    const result = await pipeline.execute({ stopOnError: false, concurrency: 1 });

    expect(ran.sort()).toEqual(["after-in-order", "independent"]);
    expect(result.steps.map((s) => [s.name, s.status, s.skipReason])).toEqual([
      ["broken", "failed", undefined],
      ["needs-broken", "skipped", 'not run: step "broken" failed'],
      ["needs-that", "skipped", 'not run: step "broken" failed'],
      ["after-in-order", "success", undefined],
      ["independent", "success", undefined],
    ]);
    expect(result.status).toBe("failed");
  });

  it("records 200 parallel completions in the checkpoint without losing one", async () => {
    const dir = await tempDir();
    const pipeline = new Pipeline({ name: "many", checkpointDir: dir });
    for (let i = 0; i < 200; i++) pipeline.addStep(`s${i}`, async () => (await sleep(i % 7), i), { dependsOn: [] });
    const result = await pipeline.execute({ concurrency: 16 });
    const saved = await new CheckpointStore(dir).load(result.checkpointPath as string);
    expect(saved.steps.every((s, i) => s.status === "success" && s.output === i)).toBe(true);
  });
});

describe("conditions and outputs", () => {
  it("skips a step whose condition is false, with the reason, and runs what follows it", async () => {
    const ran: string[] = [];
    const pipeline = new Pipeline({ name: "conditions", checkpointDir: await tempDir(), params: { MODE: "quick" } })
      .addStep("stage", () => ({ files: 3 }))
      .addStep("metrics", () => ran.push("metrics"), { condition: "params.MODE == 'full' && steps.stage.status == 'success'" })
      .addStep("plots", () => ran.push("plots"), { condition: async (ctx) => (await Promise.resolve(ctx.params["MODE"])) === "quick" })
      .addStep("never", () => ran.push("never"), { condition: () => false });
    const result = await pipeline.execute();

    expect(ran).toEqual(["plots"]);
    expect(result.success).toBe(true);
    expect(result.steps.map((s) => [s.status, s.skipReason])).toEqual([
      ["success", undefined],
      ["skipped", "condition is false: `params.MODE == 'full' && steps.stage.status == 'success'`"],
      ["success", undefined],
      ["skipped", "condition is false: its condition function"],
    ]);
  });

  it("rejects a condition with a syntax error when the step is added, not when it runs", () => {
    expect(() => new Pipeline({ name: "bad" }).addStep("x", () => null, { condition: "params.A == " })).toThrow(/Step "x": invalid condition/);
  });

  it("rejects expressions that read a step the step does not wait for", () => {
    const pipeline = new Pipeline({ name: "race" })
      .addStep("a", () => 1, { dependsOn: [] })
      .addStep("b", () => 2, { dependsOn: [] })
      .addStep("c", () => 3, { dependsOn: ["a"], args: { x: "${{ steps.b.output }}" } })
      .addStep("d", () => 3, { args: { x: "${{ steps.nope.output }}" } });
    expect(() => pipeline.graph()).toThrow('Step "c" reads step "b" but does not wait for it: add "b" to its depends_on');
    expect(() => pipeline.graph()).toThrow('Step "d" reads "nope", which is not a step of this pipeline');
  });

  it("resolves ${{ steps.X.output }} in args when the step starts, also after a resume", async () => {
    const dir = await tempDir();
    const failing = { on: true };
    const seen: unknown[] = [];
    const build = () =>
      new Pipeline({ name: "outputs", checkpointDir: dir })
        .addStep("stage", () => ({ manifestPath: "data/02_stage/_manifest/manifest.parquet", runs: 161 }))
        .addStep("metrics", (args: { manifest: string; note: string; runs: number }) => {
          seen.push(args);
          if (failing.on) throw new Error("not yet");
          return "done";
        }, { args: { manifest: "${{ steps.stage.output.manifestPath }}", note: "runs=${{ steps.stage.output.runs }}", runs: "${{ steps.stage.output.runs }}" } as never });
    expect((await build().execute()).success).toBe(false);
    failing.on = false;
    const resumed = await build().execute({ resumeFrom: "latest" });

    expect(resumed.success).toBe(true);
    expect(resumed.steps[0]?.resumedFrom).toBeDefined();
    const expected = { manifest: "data/02_stage/_manifest/manifest.parquet", note: "runs=161", runs: 161 };
    expect(seen).toEqual([expected, expected]);
  });

  it("fails a step whose args read a value that is not there, without retrying", async () => {
    let calls = 0;
    const pipeline = new Pipeline({ name: "missing-output", checkpointDir: await tempDir() })
      .addStep("stage", () => ({}))
      .addStep("use", () => calls++, { args: { path: "${{ steps.stage.output.manifestPath }}" }, retryCount: 3 });
    const result = await pipeline.execute({ clock: fakeClock() });
    expect(calls).toBe(0);
    expect(result.steps[1]?.error).toContain("steps.stage.output.manifestPath");
  });
});

describe("timeouts and cancellation", () => {
  it("aborts an attempt after its timeout, reports it, and retries", async () => {
    const signals: boolean[] = [];
    const slowThenFast: Command = async (_args, ctx) => {
      if (ctx.attempt === 1) {
        await sleep(300);
        signals.push(ctx.signal.aborted);
        return "too late";
      }
      return "fast";
    };
    const pipeline = new Pipeline({ name: "timeouts", checkpointDir: await tempDir() }).addStep("slow", slowThenFast, {
      timeout: 0.05,
      retryCount: 1,
      retryDelay: 0,
    });
    const retries: string[] = [];
    pipeline.on("stepRetrying", (e) => retries.push(e.error));
    const result = await pipeline.execute();

    expect(result.steps[0]).toMatchObject({ status: "success", output: "fast", attempts: 2 });
    expect(retries).toEqual(["timed out after 0.05 s"]);
  });

  it("fails with the timeout message when no retry is left", async () => {
    const pipeline = new Pipeline({ name: "timeout-fails", checkpointDir: await tempDir() }).addStep("hang", waitForAbort([], "hang"), { timeout: 0.02 });
    const result = await pipeline.execute();
    expect(result.steps[0]).toMatchObject({ status: "failed", error: "timed out after 0.02 s" });
  });

  it("execute({ signal }): running steps are aborted, the execution is cancelled, rollback runs, and it resumes like a failed one", async () => {
    const dir = await tempDir();
    const events: string[] = [];
    const controller = new AbortController();
    const build = (second: boolean) =>
      new Pipeline({ name: "cancel", checkpointDir: dir })
        .addStep("first", () => events.push("first"), { rollback: () => void events.push("undo first") })
        .addStep("wait", second ? () => events.push("wait again") : waitForAbort(events, "wait"))
        .addStep("last", () => events.push("last"));
    const running = build(false).execute({ signal: controller.signal, enableRollback: true });
    while (!events.includes("wait:start")) await sleep(2); // cancel while "wait" runs, however busy the machine
    controller.abort(new Error("user pressed Ctrl-C"));
    const result = await running;
    expect(result.status).toBe("cancelled");
    expect(result.steps.map((s) => s.status)).toEqual(["rolled_back", "cancelled", "skipped"]);
    expect(events).toEqual(["first", "wait:start", "wait:aborted", "undo first"]);

    events.length = 0;
    const resumed = await build(true).execute({ resumeFrom: "latest" });
    expect(resumed.success).toBe(true);
    expect(events).toEqual(["first", "wait again", "last"]); // "first" was rolled back: it runs again
  });
});
