import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { yamlProblems } from "./fixtures/yaml-problems.js";
import { localExecutor, Pipeline, type Executor } from "../src/index.js";
import { parsePipelineYaml } from "../src/yaml/load-pipeline-yaml.js";
import { pipelineSpecToYaml } from "../src/yaml/write-pipeline-yaml.js";
import { withoutLocations } from "./fixtures/yaml-graph/spec-helpers.js";

/** A one-step pipeline with `executorLines` between its name and its steps. */
const pipelineText = (executorLines: string) => `name: on-workers\n${executorLines}\nsteps:\n  - name: hello\n    command: hello\n`;

describe("YAML executor:", () => {
  it("reads the short form and the mapping, and a pipeline without one has none", () => {
    expect(withoutLocations(parsePipelineYaml(pipelineText("executor: bullmq"), "p.yml")).executor).toEqual({ type: "bullmq" });
    const full = parsePipelineYaml(pipelineText("executor:\n  type: bullmq\n  redis: rediss://queue-host:6380/2\n  queue: lab\n  prefix: optothermal\n  tls: true"), "p.yml");
    expect(full.executor).toMatchObject({ type: "bullmq", redis: "rediss://queue-host:6380/2", queue: "lab", prefix: "optothermal", tls: true });
    expect(full.executor?.location).toMatchObject({ file: "p.yml", line: 3 });
    expect(parsePipelineYaml(pipelineText(""), "p.yml").executor).toBeUndefined();
  });

  it("takes ${VAR} placeholders, so one file runs locally or on workers", () => {
    const text = pipelineText("executor: ${EXECUTOR:-local}");
    expect(parsePipelineYaml(text, "p.yml", { env: {} }).executor?.type).toBe("local");
    expect(parsePipelineYaml(text, "p.yml", { env: {}, params: { EXECUTOR: "bullmq" } }).executor?.type).toBe("bullmq");
  });

  it("reports mistakes with line, column and what was expected", () => {
    expect(yamlProblems(pipelineText("executor: workers"))).toEqual([
      '2:11 expected executor to be local, bullmq, or a mapping with type (and for bullmq: redis, queue, prefix, tls), got "workers"',
    ]);
    expect(yamlProblems(pipelineText("executor:\n  type: local\n  redis: redis://q:6379"))).toEqual([
      '4:10 "redis" in executor goes only with type: bullmq (the local executor uses no Redis)',
    ]);
    expect(yamlProblems(pipelineText("executor:\n  type: bullmq\n  queu: lab"))).toEqual(['4:3 unknown key "queu" in executor; did you mean "queue"?']);
    expect(yamlProblems(pipelineText("executor:\n  redis: redis://q:6379"))).toEqual(['3:3 missing required key "type" in executor']);
    expect(yamlProblems(pipelineText("executor:\n  type: bullmq\n  queue: lab:1"))).toEqual(['4:10 expected executor.queue to be a queue name without ":", got "lab:1"']);
  });

  it("refuses a password, in its own key or in the URL: pipeline files get shared", () => {
    expect(yamlProblems(pipelineText("executor:\n  type: bullmq\n  password: hunter2"))).toEqual([
      '4:3 unknown key "password" in executor: pipeline files get shared, so the password goes in --password or $PIPEWRIGHT_REDIS_PASSWORD',
    ]);
    expect(yamlProblems(pipelineText("executor:\n  type: bullmq\n  redis: redis://:hunter2@q:6379"))).toEqual([
      '4:10 expected executor.redis to be a redis:// or rediss:// URL without a password, got "redis://:hunter2@q:6379"',
    ]);
    // A user name alone (Redis ACL) is no secret.
    expect(parsePipelineYaml(pipelineText("executor:\n  type: bullmq\n  redis: redis://lab@q:6379"), "p.yml").executor?.redis).toBe("redis://lab@q:6379");
  });

  it("is written back as it was read (short form when it says nothing more)", () => {
    for (const lines of ["executor: bullmq", "executor: local", "executor:\n  type: bullmq\n  redis: redis://q:6379\n  queue: lab\n  tls: true"]) {
      const spec = parsePipelineYaml(pipelineText(lines), "p.yml");
      const written = pipelineSpecToYaml(spec);
      expect(written).toContain(lines.replace(/\n/g, "\n"));
      expect(withoutLocations(parsePipelineYaml(written, "again.yml"))).toEqual(withoutLocations(spec));
    }
  });

  it("is kept by Pipeline.fromSpec and toSpec", () => {
    const spec = parsePipelineYaml(pipelineText("executor:\n  type: bullmq\n  queue: lab"), "p.yml");
    const pipeline = Pipeline.fromSpec(spec, { hello: () => "hi" });
    expect(pipeline.executor).toMatchObject({ type: "bullmq", queue: "lab" });
    expect(withoutLocations(pipeline.toSpec()).executor).toEqual({ type: "bullmq", queue: "lab" });
  });

  it("belongs to the top pipeline only: an inline nested pipeline has none", () => {
    const text = "name: outer\nsteps:\n  - name: inner\n    pipeline:\n      executor: bullmq\n      steps:\n        - name: a\n          command: hello\n";
    expect(yamlProblems(text)).toEqual(['5:7 unknown key "executor" in pipeline of step "inner" (allowed keys: name, description, params, steps)']);
  });

  describe("execute()", () => {
    let dir: string;
    beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "pw-executor-"))));
    afterEach(async () => rm(dir, { recursive: true, force: true }));

    it("of a pipeline meant for workers needs an executor, and says so at the executor: line", async () => {
      const pipeline = Pipeline.fromSpec(parsePipelineYaml(pipelineText("executor: bullmq"), "p.yml"), { hello: () => "hi" }, { checkpointDir: dir });
      await expect(pipeline.execute()).rejects.toThrow(/p\.yml:2:11: Pipeline "on-workers" is meant to run on BullMQ workers \(executor: bullmq\): pass execute\(\{ executor \}\)/);
    });

    it("runs on the executor it is given: the local one, or another", async () => {
      const pipeline = Pipeline.fromSpec(parsePipelineYaml(pipelineText("executor: bullmq"), "p.yml"), { hello: () => "hi" }, { checkpointDir: dir });
      expect((await pipeline.execute({ executor: localExecutor })).success).toBe(true);
      const seen: string[] = [];
      const recording: Executor = { run: async (task, ctx) => (seen.push(task.commandName), localExecutor.run(task, ctx)) };
      expect((await pipeline.execute({ executor: recording })).steps[0]?.output).toBe("hi");
      expect(seen).toEqual(["hello"]);
    });

    it("of a pipeline that says local runs here without being told", async () => {
      const pipeline = Pipeline.fromSpec(parsePipelineYaml(pipelineText("executor: local"), "p.yml"), { hello: () => "hi" }, { checkpointDir: dir });
      expect((await pipeline.execute()).success).toBe(true);
    });
  });
});
