import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Pipeline, ValidationError, type Command, type Json } from "../src/index.js";
import { tempDir } from "./helpers.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/graph-run/${name}`, import.meta.url));

const registry: Record<string, Command<never>> = {
  list_files: ((args: { count: number }) => ({ files: Array.from({ length: args.count }, (_, i) => `raw/f${i}.csv`) })),
  stage_file: ((args: { path: string; prefix: string }) => {
    if (args.path.endsWith("3.csv")) throw new Error("corrupt file");
    return `${args.prefix}:${args.path}`;
  }),
  count_outputs: ((args: { staged: Json[] }) => args.staged.filter((s) => s !== null).length),
  record: ((args: Record<string, Json>) => args),
  fit: ((args: { chip: string }) => ({ chip: args.chip, cnp: 0.25 })),
};

describe("a YAML graph pipeline, end to end", () => {
  it("runs map, parallel group, nested pipeline, condition and outputs as written", async () => {
    const pipeline = await Pipeline.fromYaml(fixture("lab.yml"), registry, { checkpointDir: await tempDir() });
    const result = await pipeline.execute({ concurrency: 4 });
    const byName = Object.fromEntries(result.steps.map((s) => [s.name, s]));

    expect(result.success).toBe(true);
    expect(result.steps.map((s) => s.name)).toEqual(["list-files", "stage", "histories", "chip-67/load", "chip-67/fit", "plots", "report"]);
    expect(byName["stage"]?.output).toMatchObject({
      succeeded: 4,
      failed: 1,
      outputs: ["staged-0:raw/f0.csv", "staged-1:raw/f1.csv", "staged-2:raw/f2.csv", null, "staged-4:raw/f4.csv"],
    });
    expect(byName["histories"]?.output).toBe(4);
    expect(byName["chip-67/fit"]?.output).toEqual({ chip: "67", cnp: 0.25 });
    expect(byName["plots"]).toMatchObject({ status: "skipped", skipReason: "condition is false: `${{ params.SKIP_PLOTS != 'true' }}`" });
    expect(byName["report"]?.output).toEqual({ cnp: 0.25, failed: 1 });
  });

  it("reports a cycle and an unknown dependency with file and line", async () => {
    const error = await Pipeline.fromYaml(fixture("cycle.yml"), registry).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as ValidationError).message;
    expect(message).toContain(`${fixture("cycle.yml")}:3:5: Steps "a" → "b" → "c" → "a" form a cycle`);
    expect(message).toContain(`${fixture("cycle.yml")}:12:5: Step "d" depends on "nope", which is not a step of this pipeline`);
  });
});
