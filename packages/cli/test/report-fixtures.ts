import { CheckpointStore, Pipeline, type ExecuteOptions, type ExecutionRecord } from "pipewright";

export const XSS_ERROR = "<script>alert(1)</script>";
export const XSS_NAME = 'load<img src=x onerror="alert(2)">';

/** Runs a pipeline and reads back what its checkpoint recorded. */
export async function runAndLoad(pipeline: Pipeline, options: ExecuteOptions = {}): Promise<{ path: string; record: ExecutionRecord }> {
  const result = await pipeline.execute(options);
  const path = result.checkpointPath as string;
  return { path, record: await new CheckpointStore(pipeline.checkpointDir).load(path) };
}

const ok = (output: unknown = null) => () => output;

/** a → (b, c) → d, where c fails its first attempt. */
export function diamondWithRetry(dir: string): Pipeline {
  let calls = 0;
  return new Pipeline({ name: "diamond", checkpointDir: dir })
    .addStep("a", ok({ rows: 3 }))
    .addStep("b", ok(), { dependsOn: ["a"] })
    .addStep(
      "c",
      () => {
        if (++calls === 1) throw new Error("flaky: connection reset");
        return "done";
      },
      { dependsOn: ["a"], retryCount: 2, retryDelay: 0.01 },
    )
    .addStep("d", ok(), { dependsOn: ["b", "c"] });
}

/** Markup in every piece of text a report shows: a step's name, error, output and params, and the description. */
export function hostileFailure(dir: string): Pipeline {
  return new Pipeline({ name: "hostile<b>", description: "<i>described</i>", checkpointDir: dir, params: { P: "<script>alert(3)</script>" } })
    .addStep(XSS_NAME, ok({ html: "</code><script>alert(4)</script>" }))
    .addStep("explode", () => {
      throw new Error(XSS_ERROR);
    })
    .addStep("after", ok());
}

/** A parallel group holding a nested pipeline, and a nested pipeline after it. */
export function nested(dir: string): Pipeline {
  const inner = () => new Pipeline({ name: "inner" }).addStep("load", ok(1)).addStep("analyse", ok(2));
  return new Pipeline({ name: "nested", checkpointDir: dir })
    .addStep("stage", ok())
    .addParallelGroup("analyses", [
      { name: "histories", command: ok() },
      { name: "sub", pipeline: inner() },
    ])
    .addSubpipeline("chip", inner())
    .addStep("report", ok());
}

/** A map step over `count` items of which those divisible by 3 fail; allowed, so the run succeeds. */
export function mapWithFailures(dir: string, count: number): Pipeline {
  return new Pipeline({ name: "mapped", checkpointDir: dir }).addMapStep("stage-files", {
    items: Array.from({ length: count }, (_, i) => `file-${i}.csv`),
    allowedFailures: count,
    command: (args: { item: string }, ctx) => {
      if ((ctx.itemIndex ?? 0) % 3 === 0) throw new Error(`bad row in <${args.item}>`);
      return ctx.itemIndex;
    },
  });
}
