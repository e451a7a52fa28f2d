import { describe, expect, it } from "vitest";
import { appendFile, readdir, writeFile } from "node:fs/promises";
import { CheckpointError, CheckpointStore, Pipeline, type Command, type Json } from "../src/index.js";
import { fakeClock, tempDir } from "./helpers.js";

describe("nested pipelines", () => {
  /** outer: prepare → chip (load → analyse) → publish; `analyse` fails while `failing.on`. */
  function build(dir: string, failing: { on: boolean }, runs: string[]) {
    const chip = new Pipeline({ name: "chip", params: { CHIP: "67" } })
      .addStep("load", (_args, ctx) => (runs.push("load"), { chip: ctx.params["CHIP"] }), { rollback: () => void runs.push("undo load") })
      .addStep("analyse", (args: { loaded: Json }) => {
        runs.push("analyse");
        if (failing.on) throw new Error("analysis failed");
        return { cnp: 0.42, loaded: args.loaded };
      }, { args: { loaded: "${{ steps.load.output }}" } });
    return new Pipeline({ name: "outer", checkpointDir: dir })
      .addStep("prepare", () => void runs.push("prepare"))
      .addSubpipeline("chip", chip)
      .addStep("publish", (_args, ctx) => (runs.push("publish"), ctx.outputs["chip/analyse"]));
  }

  it("runs the inner steps under qualified names, with the nested pipeline's params and expressions", async () => {
    const runs: string[] = [];
    const pipeline = build(await tempDir(), { on: false }, runs);
    const started: string[] = [];
    pipeline.on("stepStarted", (e) => started.push(e.step));
    const result = await pipeline.execute();

    expect(result.steps.map((s) => s.name)).toEqual(["prepare", "chip/load", "chip/analyse", "publish"]);
    expect(started).toEqual(["prepare", "chip/load", "chip/analyse", "publish"]);
    expect(runs).toEqual(["prepare", "load", "analyse", "publish"]);
    expect(result.steps[3]?.output).toEqual({ cnp: 0.42, loaded: { chip: "67" } });
  });

  it("resumes inside the nested pipeline, and rolls back its steps", async () => {
    const dir = await tempDir();
    const failing = { on: true };
    const runs: string[] = [];
    const first = await build(dir, failing, runs).execute({ enableRollback: true });
    expect(first.steps.map((s) => s.status)).toEqual(["success", "rolled_back", "failed", "skipped"]);
    expect(runs).toEqual(["prepare", "load", "analyse", "undo load"]);

    // Without rollback, resume keeps chip/load and runs from chip/analyse on.
    runs.length = 0;
    await build(dir, failing, runs).execute();
    failing.on = false;
    runs.length = 0;
    const resumed = await build(dir, failing, runs).execute({ resumeFrom: "latest" });
    expect(resumed.success).toBe(true);
    expect(runs).toEqual(["analyse", "publish"]);
    expect(resumed.steps.filter((s) => s.resumedFrom).map((s) => s.name)).toEqual(["prepare", "chip/load"]);
  });

  it("lets other steps wait for a whole nested pipeline or group by its name", async () => {
    const order: string[] = [];
    const step = (name: string): Command => async () => {
      await new Promise((resolve) => setTimeout(resolve, name === "inner-b" ? 20 : 1));
      order.push(name);
    };
    const inner = new Pipeline({ name: "inner" }).addStep("inner-a", step("inner-a")).addStep("inner-b", step("inner-b"), { dependsOn: [] });
    const pipeline = new Pipeline({ name: "by-name", checkpointDir: await tempDir() })
      .addSubpipeline("sub", inner, { dependsOn: [] })
      .addStep("side", step("side"), { dependsOn: [] })
      .addStep("end", step("end"), { dependsOn: ["sub"] });
    await pipeline.execute({ concurrency: 4 });
    expect(order.indexOf("end")).toBeGreaterThan(order.indexOf("inner-b"));
    expect(order.indexOf("end")).toBeGreaterThan(order.indexOf("inner-a"));
  });
});

describe("map steps", () => {
  it("runs the command once per item, with its own retries, and hands every output on", async () => {
    const attempts = new Map<number, number>();
    const square: Command<{ item: number; offset: number }> = (args) => {
      const n = (attempts.get(args.item) ?? 0) + 1;
      attempts.set(args.item, n);
      if (args.item === 3 && n === 1) throw new Error("flaky");
      return args.item * args.item + args.offset;
    };
    const pipeline = new Pipeline({ name: "squares", checkpointDir: await tempDir() })
      .addStep("list", () => ({ numbers: [1, 2, 3, 4] }))
      .addMapStep("square", { items: "${{ steps.list.output.numbers }}", command: square, args: { offset: 1 }, retryCount: 1, retryDelay: 0 })
      .addStep("sum", (_args, ctx) => ((ctx.outputs["square"] as { outputs: number[] }).outputs).reduce((a, b) => a + b, 0));
    const progress: string[] = [];
    pipeline.on("stepProgress", (e) => progress.push(`${e.done}/${e.total}`));
    const result = await pipeline.execute({ concurrency: 2 });

    expect(result.success).toBe(true);
    expect(result.steps[1]?.output).toEqual({ total: 4, succeeded: 4, failed: 0, outputs: [2, 5, 10, 17], failures: [] });
    expect(result.steps[2]?.output).toBe(34);
    expect(attempts.get(3)).toBe(2);
    expect(progress).toEqual(["0/4", "1/4", "2/4", "3/4", "4/4"]);
  });

  it("passes the item under itemArg, and in ctx.item / ctx.itemIndex", async () => {
    const seen: unknown[] = [];
    const pipeline = new Pipeline({ name: "item-arg", checkpointDir: await tempDir() }).addMapStep("stage", {
      items: ["a.csv", "b.csv"],
      itemArg: "path",
      args: { label: "file ${{ itemIndex }}: ${{ item }}" },
      command: (args, ctx) => void seen.push([args, ctx.item, ctx.itemIndex]),
      concurrency: 1,
    });
    await pipeline.execute();
    expect(seen).toEqual([
      [{ label: "file 0: a.csv", path: "a.csv" }, "a.csv", 0],
      [{ label: "file 1: b.csv", path: "b.csv" }, "b.csv", 1],
    ]);
  });

  it("tolerates failed items within allowedFailures and lists them; beyond it the step fails and stops starting items", async () => {
    const failOdd: Command<{ item: number }> = (args) => {
      if (args.item % 2 === 1) throw new Error(`bad file ${args.item}`);
      return args.item;
    };
    const tolerant = new Pipeline({ name: "tolerant", checkpointDir: await tempDir() }).addMapStep("stage", {
      items: [0, 1, 2, 3, 4, 5],
      command: failOdd,
      allowedFailures: "50%",
    });
    const ok = await tolerant.execute({ concurrency: 1 });
    expect(ok.success).toBe(true);
    expect(ok.steps[0]?.output).toMatchObject({
      succeeded: 3,
      failed: 3,
      outputs: [0, null, 2, null, 4, null],
      failures: [
        { index: 1, item: 1, error: "bad file 1" },
        { index: 3, item: 3, error: "bad file 3" },
        { index: 5, item: 5, error: "bad file 5" },
      ],
    });

    let started = 0;
    const strict = new Pipeline({ name: "strict", checkpointDir: await tempDir() }).addMapStep("stage", {
      items: [0, 1, 2, 3, 4, 5],
      command: (args: { item: number }) => (started++, failOdd(args, undefined as never)),
      allowedFailures: 1,
    });
    const failed = await strict.execute({ concurrency: 1, clock: fakeClock() });
    expect(failed.steps[0]?.status).toBe("failed");
    expect(failed.steps[0]?.error).toBe(
      "2 of 6 items failed (allowed: 1), the rest did not run: item 1 (1): bad file 1; item 3 (3): bad file 3",
    );
    expect(started).toBe(4);
  });

  it("journals items as they finish, and a resume runs only the items that did not succeed", async () => {
    const dir = await tempDir();
    const items = Array.from({ length: 300 }, (_, i) => `file-${i}.csv`);
    const ran: string[] = [];
    const stopAt = { item: 200 };
    const stage: Command<{ item: string }> = (args) => {
      if (Number(/\d+/.exec(args.item)?.[0]) >= stopAt.item) throw new Error("disk full");
      ran.push(args.item);
      return args.item.toUpperCase();
    };
    const build = () => new Pipeline({ name: "resumable-map", checkpointDir: dir }).addMapStep("stage", { items, command: stage });

    const first = await build().execute({ concurrency: 1 });
    expect(first.success).toBe(false);
    expect(first.steps[0]?.error).toMatch(/^1 of 300 items failed \(allowed: 0\), the rest did not run: item 200/);
    expect(ran).toHaveLength(200);
    const saved = await new CheckpointStore(dir).load(first.checkpointPath as string);
    expect(saved.steps[0]?.items?.filter((i) => i?.status === "success")).toHaveLength(200);

    ran.length = 0;
    stopAt.item = Infinity;
    const second = await build().execute({ resumeFrom: "latest", concurrency: 4 });
    expect(second.success).toBe(true);
    expect(ran).toEqual(items.slice(200));
    expect((second.steps[0]?.output as { outputs: string[] }).outputs).toEqual(items.map((i) => i.toUpperCase()));
  });

  it("keeps items in a file of their own beside the checkpoint: a torn last line is ignored, a corrupt one names the file", async () => {
    const dir = await tempDir();
    const result = await new Pipeline({ name: "items-file", checkpointDir: dir })
      .addStep("before", () => null)
      .addMapStep("stage", { items: ["a", "b", "c"], command: (args: { item: string }) => args.item.toUpperCase() })
      .execute();
    const path = result.checkpointPath as string;
    const store = new CheckpointStore(dir);
    const itemsPath = `${path}.items-1`;
    expect((await store.load(path)).steps[1]?.items?.map((i) => i?.output)).toEqual(["A", "B", "C"]);

    await appendFile(itemsPath, '{"item":0,"key":"\\"a\\"","sta'); // a crash while writing a line
    expect((await store.load(path)).steps[1]?.items).toHaveLength(3);

    await writeFile(itemsPath, '{"item":0,"key":"a"}\n{"item":"x"}\n');
    const error = await store.load(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).message).toContain(`Checkpoint ${itemsPath} is corrupt`);
    expect((error as CheckpointError).message).toContain("line 2");

    await store.remove(path);
    expect(await readdir(dir)).toEqual([]);
  });

  it("finds kept items by value when the list changed between runs", async () => {
    const dir = await tempDir();
    const ran: string[] = [];
    const failing = { on: true };
    const build = (items: string[]) =>
      new Pipeline({ name: "moved-items", checkpointDir: dir }).addMapStep("stage", {
        items: () => items,
        command: (args: { item: string }) => {
          if (failing.on && args.item === "c") throw new Error("c is broken");
          ran.push(args.item);
          return args.item;
        },
      });
    await build(["a", "b", "c"]).execute({ concurrency: 1 });
    failing.on = false;
    ran.length = 0;
    const result = await build(["new", "c", "b", "a"]).execute({ resumeFrom: "latest", concurrency: 1 });
    expect(ran).toEqual(["new", "c"]);
    expect((result.steps[0]?.output as { outputs: string[] }).outputs).toEqual(["new", "c", "b", "a"]);
  });

  it("reports items that are not a list", async () => {
    const pipeline = new Pipeline({ name: "not-a-list", checkpointDir: await tempDir() })
      .addStep("list", () => ({ files: "a.csv" }))
      .addMapStep("stage", { items: "${{ steps.list.output.files }}", command: () => null });
    const result = await pipeline.execute();
    expect(result.steps[1]?.error).toMatch(/expected the items of map step "stage" \(\$\{\{ steps.list.output.files \}\}\) to be a list, got "a.csv"/);
  });
});
