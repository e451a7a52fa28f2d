import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Pipeline, ValidationError, type Command, type StepContext } from "../src/index.js";
import { MY_PIPELINE } from "./fixtures/original-examples.js";
import { tempDir } from "./helpers.js";


function recordingRegistry(calls: Array<[string, unknown]>) {
  const command = (name: string): Command => (args) => void calls.push([name, args]);
  return {
    stage_all_command: command("stage"),
    build_all_histories_command: command("histories"),
    derive_all_metrics_command: command("metrics"),
    remove_dir: command("remove"),
  };
}

async function writeYaml(text: string): Promise<string> {
  const path = join(await tempDir(), "pipeline.yml");
  await writeFile(path, text);
  return path;
}

describe("Pipeline.fromYaml / toYaml", () => {
  it("runs the original tool's documented YAML as is", async () => {
    const calls: Array<[string, unknown]> = [];
    const pipeline = await Pipeline.fromYaml(await writeYaml(MY_PIPELINE), recordingRegistry(calls), {
      checkpointDir: await tempDir(),
    });
    const result = await pipeline.execute();
    expect(result.success).toBe(true);
    expect(calls).toEqual([
      ["stage", { raw_root: "data/01_raw", stage_root: "data/02_stage/raw_measurements", workers: 16, force: true }],
      ["histories", expect.objectContaining({ chip_group: "Alisson", min_experiments: 5 })],
      ["metrics", { chip_group: "Alisson", workers: 8 }],
    ]);
    expect(pipeline.steps.map((s) => [s.name, s.options.retryCount, s.options.skipOnError])).toEqual([
      ["stage-data", 1, false],
      ["build-histories", 0, false],
      ["extract-metrics", 2, true],
    ]);
  });

  it("hands params to commands: the file's defaults under the given values", async () => {
    let params: StepContext["params"] | undefined;
    const path = await writeYaml(`name: p
params:
  OUT: output
  CHIP_NUMBER: 1
steps:
  - name: s
    command: look
    kwargs: { chip: "\${CHIP_NUMBER}" }
`);
    const pipeline = await Pipeline.fromYaml(path, { look: (_a: unknown, ctx: StepContext) => void (params = ctx.params) }, {
      params: { CHIP_NUMBER: "67" },
      checkpointDir: await tempDir(),
    });
    await pipeline.execute();
    expect(params).toEqual({ OUT: "output", CHIP_NUMBER: "67" });
    expect(pipeline.steps[0]?.options.args).toEqual({ chip: "67" });
  });

  it("reports an unknown command with its location, the known names and the closest match", async () => {
    const path = await writeYaml(MY_PIPELINE.replace("command: stage_all_command", "command: stage_al_command"));
    const error = await Pipeline.fromYaml(path, recordingRegistry([])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const [issue, ...others] = (error as ValidationError).issues;
    expect(others).toEqual([]);
    expect(issue?.location).toEqual({ file: path, line: 6, column: 14 });
    expect(issue?.message).toMatch(/^Unknown command: stage_al_command \(known: .*stage_all_command.*; did you mean "stage_all_command"\?\)$/);
  });

  it("writes YAML that loads back to an equivalent pipeline", async () => {
    const registry = recordingRegistry([]);
    const original = new Pipeline({ name: "round-trip", description: "all the options", registry, params: { CHIP: "67" } })
      .addStep("stage-data", "stage_all_command", {
        args: { raw_root: "data/01_raw", workers: 8, pattern: "literal ${not a var}" },
        retryCount: 3,
        retryDelay: 0.5,
        backoff: 3,
        maxRetryDelay: 20,
        jitter: 0.25,
        rollback: { command: "remove_dir", args: { path: "data/02_stage" } },
        description: "Stage raw CSVs",
      })
      .addStep("histories", registry.build_all_histories_command, { skipOnError: true, checkpoint: false })
      .addStep("run-tool", "exec", { args: { argv: ["echo", "$(not run)"] } });
    const path = join(await tempDir(), "copy.yml");
    await original.toYaml(path);

    const loaded = await Pipeline.fromYaml(path, registry);
    const shape = (p: Pipeline) =>
      p.steps.map((s, i) => ({ name: s.name, command: s.commandName, fingerprint: p.graph().fingerprints[i], options: { ...s.options }, rollback: s.rollback?.spec }));
    expect(shape(loaded)).toEqual(shape(original));
    expect(loaded.toSpec()).toEqual(original.toSpec());
    expect(await readFile(path, "utf8")).not.toMatch(/!!|&|\*/); // no tags, anchors or aliases
  });

  it("refuses to write a rollback closure to YAML, and says what to use instead", async () => {
    const pipeline = new Pipeline({ name: "closure" }).addStep("a", function stage() {}, { rollback: () => {} });
    await expect(pipeline.toYaml(join(await tempDir(), "x.yml"))).rejects.toThrow(/rollback is a function; YAML can only name a registry command/);
  });

  it("refuses to write an anonymous command", () => {
    const pipeline = new Pipeline({ name: "anon" }).addStep("a", () => 1);
    expect(() => pipeline.toSpec()).toThrow(/has no name in the registry/);
  });
});
