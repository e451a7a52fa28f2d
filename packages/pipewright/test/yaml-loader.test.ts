import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { yamlProblems } from "./fixtures/yaml-problems.js";
import { ValidationError } from "../src/errors.js";
import { loadPipelineYaml, parsePipelineYaml } from "../src/yaml/load-pipeline-yaml.js";
import { ANALYZE_CHIP, MY_PIPELINE } from "./fixtures/original-examples.js";
import { commandSteps } from "./fixtures/yaml-graph/spec-helpers.js";

const at = (line: number, column: number) => ({ file: "p.yml", line, column });

describe("the original tool's examples", () => {
  it("loads my-pipeline.yml as it is", () => {
    const spec = parsePipelineYaml(MY_PIPELINE, "p.yml", { env: {} });
    expect(spec).toEqual({
      name: "my-custom-pipeline",
      description: "Custom workflow for Alisson chips",
      steps: [
        {
          name: "stage-data",
          command: "stage_all_command",
          args: { raw_root: "data/01_raw", stage_root: "data/02_stage/raw_measurements", workers: 16, force: true },
          retryCount: 1,
          location: at(5, 5),
          commandLocation: at(6, 14),
        },
        {
          name: "build-histories",
          command: "build_all_histories_command",
          args: {
            manifest_path: "data/02_stage/raw_measurements/_manifest/manifest.parquet",
            output_dir: "data/02_stage/chip_histories",
            chip_group: "Alisson",
            min_experiments: 5,
          },
          // skip_on_error: false is the default: left out, like every default.
          location: at(14, 5),
          commandLocation: at(15, 14),
        },
        {
          name: "extract-metrics",
          command: "derive_all_metrics_command",
          args: { chip_group: "Alisson", workers: 8 },
          skipOnError: true,
          retryCount: 2,
          location: at(23, 5),
          commandLocation: at(24, 14),
        },
      ],
    });
  });

  it("loads analyze-chip.yml with CHIP_NUMBER=67 in the environment; the number stays a number", () => {
    const spec = parsePipelineYaml(ANALYZE_CHIP, "p.yml", { env: { CHIP_NUMBER: "67" } });
    expect(commandSteps(spec).map((s) => s.args)).toEqual([
      { chip_number: 67 },
      { chip_number: 67, output_dir: "output" },
      { chip_number: 67, output_dir: "output" },
    ]);
    expect(commandSteps(spec)[0]?.retryCount).toBe(2);
    expect(commandSteps(spec)[2]?.skipOnError).toBe(true);
  });

  it("reports the missing CHIP_NUMBER at each use", () => {
    expect(yamlProblems(ANALYZE_CHIP)).toEqual([
      "8:20 unset variable ${CHIP_NUMBER} (give it with --param CHIP_NUMBER=... or set it in the environment)",
      "14:20 unset variable ${CHIP_NUMBER} (give it with --param CHIP_NUMBER=... or set it in the environment)",
      "20:20 unset variable ${CHIP_NUMBER} (give it with --param CHIP_NUMBER=... or set it in the environment)",
    ]);
  });
});

describe("step options", () => {
  const everyOption = `name: all
steps:
  - name: a
    description: does a
    command: run_a
    kwargs: { list: [1, "two", null, { x: true }] }
    retry_count: 3
    retry_delay: 0.5
    backoff: 1.5
    max_retry_delay: 30
    jitter: 0.25
    skip_on_error: true
    checkpoint: false
    rollback:
      command: undo_a
      kwargs: { really: yes }
  - name: b
    command: run_b
    jitter: true
    rollback: { command: undo_b }
  - name: c
    command: run_c
    jitter: false
    retry_count: 0
    retry_delay: 1
    backoff: 2
    checkpoint: true
    skip_on_error: false
`;

  it("maps every snake_case key to the camelCase spec", () => {
    const [a, b, c] = parsePipelineYaml(everyOption, "p.yml").steps;
    expect(a).toEqual({
      name: "a",
      description: "does a",
      command: "run_a",
      args: { list: [1, "two", null, { x: true }] },
      retryCount: 3,
      retryDelay: 0.5,
      backoff: 1.5,
      maxRetryDelay: 30,
      jitter: 0.25,
      skipOnError: true,
      checkpoint: false,
      rollback: { command: "undo_a", args: { really: "yes" } },
      location: at(3, 5),
      commandLocation: at(5, 14),
    });
    expect(b).toMatchObject({ jitter: 1, rollback: { command: "undo_b", args: {} } });
    // Values equal to their defaults are left out, so the spec has one form (and round-trips).
    expect(Object.keys(c ?? {})).toEqual(["name", "command", "args", "location", "commandLocation"]);
  });

  it("gives each step its own args, even when the file shares them with an alias", () => {
    const spec = parsePipelineYaml(
      `name: n\nsteps:\n  - { name: a, command: c, kwargs: &k { x: [1] } }\n  - { name: b, command: c, kwargs: *k }\n`,
      "p.yml",
    );
    expect(commandSteps(spec)[1]?.args).toEqual({ x: [1] });
    expect(commandSteps(spec)[1]?.args).not.toBe(commandSteps(spec)[0]?.args);
  });

  it("accepts a command from knownCommands", () => {
    expect(parsePipelineYaml(MY_PIPELINE, "p.yml", { knownCommands: ["stage_all_command", "build_all_histories_command", "derive_all_metrics_command"] }).steps).toHaveLength(3);
  });
});

describe("problems, each with file, line and column", () => {
  it("unknown key, with a suggestion, at the key", () => {
    const text = `name: n\nsteps:\n  - name: stage-data\n    command: c\n    retry_cont: 2\n`;
    expect(yamlProblems(text)).toEqual(['5:5 unknown key "retry_cont" in step "stage-data"; did you mean "retry_count"?']);
  });

  it("unknown key without a close match lists the allowed keys; a transposition still matches", () => {
    const text = `name: n\nstpes: []\nsteps:\n  - name: a\n    command: c\n    rollback: { command: u, wat: 1 }\n`;
    expect(yamlProblems(text)).toEqual([
      '2:1 unknown key "stpes"; did you mean "steps"?',
      '6:29 unknown key "wat" in rollback of step "a" (allowed keys: command, kwargs)',
    ]);
  });

  it("wrong value types, at the value", () => {
    const text = `name: n
steps:
  - name: a
    command: c
    retry_count: two
    retry_delay: -1
    backoff: 0.5
    jitter: 3
    skip_on_error: yes
    kwargs: { deep: { x: .inf } }
`;
    expect(yamlProblems(text)).toEqual([
      '5:18 expected retry_count to be an integer ≥ 0, got "two"',
      "6:18 expected retry_delay to be a number of seconds ≥ 0, got -1",
      "7:14 expected backoff to be a number ≥ 1, got 0.5",
      "8:13 expected jitter to be a number from 0 to 1 or a boolean, got 3",
      '9:20 expected skip_on_error to be a boolean (true or false), got "yes"',
      "10:26 expected kwargs.deep.x to be a plain JSON value (text, a finite number, true/false, null, a list or a mapping), got .inf",
    ]);
  });

  it("a missing key, at the mapping that lacks it", () => {
    expect(yamlProblems(`name: n\nsteps:\n  - name: a\n    kwargs: {}\n`)).toEqual(['3:5 missing required key "command" in step "a"']);
    expect(yamlProblems(`steps:\n  - command: c\n`)).toEqual([
      '1:1 missing required key "name"',
      '2:5 missing required key "name" in step 1',
    ]);
  });

  it("a document that is not a pipeline", () => {
    expect(yamlProblems("")).toEqual(["1:1 expected the document to be a mapping with name and steps, got an empty value"]);
    expect(yamlProblems("- a\n- b\n")).toEqual(["1:1 expected the document to be a mapping with name and steps, got a list"]);
    expect(yamlProblems("name: n\nsteps: []\n")).toEqual(["2:8 expected steps to be a non-empty list of steps, got an empty list"]);
    expect(yamlProblems("name: n\nsteps:\n  - just-a-name\n")).toEqual([
      '3:5 expected step 1 to be a mapping with a name and one of command, parallel or pipeline, got "just-a-name"',
    ]);
  });

  it("duplicate step names, at the second name", () => {
    const text = `name: n\nsteps:\n  - name: stage-data\n    command: c\n  - name: other\n    command: c\n  - name: stage-data\n    command: c\n`;
    expect(yamlProblems(text)).toEqual(['7:11 duplicate step name "stage-data" (first defined at line 3)']);
  });

  it("unknown commands, when knownCommands is given, at the command (also for rollbacks)", () => {
    const text = `name: n\nsteps:\n  - name: a\n    command: stage_al_command\n    rollback: { command: zzz }\n`;
    expect(yamlProblems(text, { knownCommands: ["a", "b", "stage_all_command"] })).toEqual([
      '4:14 Unknown command: stage_al_command (known: a, b, stage_all_command; did you mean "stage_all_command"?)',
      "5:26 Unknown command: zzz (known: a, b, stage_all_command)",
    ]);
    expect(yamlProblems(text, { knownCommands: [] })[0]).toBe("4:14 Unknown command: stage_al_command (known: none)");
    expect(() => parsePipelineYaml(text, "p.yml")).not.toThrow();
  });

  it("invalid params: names", () => {
    const text = `name: n\nparams:\n  1X: 2\n  OK: [1]\nsteps:\n  - name: a\n    command: c\n`;
    expect(yamlProblems(text)).toEqual([
      '3:3 invalid variable name "1X" in params: use letters, digits and _, not starting with a digit',
      "4:7 expected params.OK to be a string, number or boolean, got a list",
    ]);
  });

  it("YAML syntax errors, with the yaml library's line and column", () => {
    expect(yamlProblems(`name: n\nsteps:\n  - name: a\n    command: [c\n`)).toEqual([
      "5:1 invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
    expect(yamlProblems(`name: n\nsteps: []\n---\nname: m\n`)[0]).toMatch(/^3:1 invalid YAML: Source contains multiple documents/);
  });

  it("duplicate keys, at the second key, along with the other problems", () => {
    expect(yamlProblems(`name: n\nsteps: []\nname: m\n`)).toEqual([
      "2:8 expected steps to be a non-empty list of steps, got an empty list",
      '3:1 duplicate key "name" (first at line 1)',
    ]);
    expect(yamlProblems(`name: n\nsteps:\n  - name: a\n    command: c\n    kwargs: { x: 1, y: 2, x: 3 }\n`)).toEqual([
      '5:27 duplicate key "x" (first at line 5)',
    ]);
  });

  it("an unquoted placeholder inside { } gets a hint, and the parser's echoes of the first error are dropped", () => {
    const text = `name: n\nsteps:\n  - { name: a, command: c, kwargs: { x: \${X} } }\n  - name: b\n    command: c\n`;
    expect(yamlProblems(text)).toEqual([
      '3:42 invalid YAML: Unexpected flow-map-start at node end (inside { } or [ ], quote values with placeholders: "${NAME}")',
    ]);
  });

  it("reports all problems of a document at once, in document order", () => {
    const text = `name: n
stpes: 1
steps:
  - name: stage-data
    command: stage_al_command
    retry_cont: 2
    retry_count: two
    kwargs:
      chip: \${CHIP}
  - command: b
  - name: stage-data
    command: a
`;
    const error = (() => {
      try {
        parsePipelineYaml(text, "pipes/p.yml", { env: {}, knownCommands: ["a", "b", "stage_all_command"] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    const { issues, message } = error as ValidationError;
    expect(issues.map((i) => [i.location?.line, i.location?.column])).toEqual([
      [2, 1],
      [5, 14],
      [6, 5],
      [7, 18],
      [9, 13],
      [10, 5],
      [11, 11],
    ]);
    expect(issues.every((i) => i.location?.file === "pipes/p.yml")).toBe(true);
    expect(message.split("\n")).toEqual([
      'pipes/p.yml:2:1: unknown key "stpes"; did you mean "steps"?',
      'pipes/p.yml:5:14: Unknown command: stage_al_command (known: a, b, stage_all_command; did you mean "stage_all_command"?)',
      'pipes/p.yml:6:5: unknown key "retry_cont" in step "stage-data"; did you mean "retry_count"?',
      'pipes/p.yml:7:18: expected retry_count to be an integer ≥ 0, got "two"',
      "pipes/p.yml:9:13: unset variable ${CHIP} (give it with --param CHIP=... or set it in the environment)",
      'pipes/p.yml:10:5: missing required key "name" in step 2',
      'pipes/p.yml:11:11: duplicate step name "stage-data" (first defined at line 4)',
    ]);
  });

  it("does not report a value twice when its placeholder already failed", () => {
    expect(yamlProblems(`name: n\nsteps:\n  - name: a\n    command: c\n    retry_count: \${N}\n`)).toEqual([
      "5:18 unset variable ${N} (give it with --param N=... or set it in the environment)",
    ]);
  });
});

describe("safety", () => {
  it("rejects language-specific and unknown tags, at the tag", () => {
    const text = `name: n\nsteps:\n  - name: a\n    command: !!js/function 'function () { return 1 }'\n    kwargs: { b: !!binary aGk=, c: !foo x, d: !!set { a } }\n`;
    expect(yamlProblems(text)).toEqual([
      "4:14 unknown tag !!js/function: pipeline files hold plain data, without custom or language-specific tags",
      "5:18 unknown tag !!binary: pipeline files hold plain data, without custom or language-specific tags",
      "5:36 unknown tag !foo: pipeline files hold plain data, without custom or language-specific tags",
      "5:47 unknown tag !!set: pipeline files hold plain data, without custom or language-specific tags",
    ]);
  });

  it("rejects a billion laughs document quickly, at the first alias", () => {
    const lines = ["name: lol", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = "abcdefghi";
    for (let i = 1; i < names.length; i++) {
      const [name, previous] = [names[i], names[i - 1]];
      lines.push(`${name}: &${name} [${Array.from({ length: 10 }, () => `*${previous}`).join(",")}]`);
    }
    lines.push("steps:\n  - { name: x, command: c, kwargs: { boom: *i } }");
    expect(yamlProblems(lines.join("\n"))).toEqual([
      '3:8 too many alias expansions (more than 100): these anchors (&) and aliases (*) would expand into a huge document ("billion laughs"); write the values out instead',
    ]);
  });

  it("rejects an alias without its anchor", () => {
    expect(yamlProblems(`name: n\nsteps:\n  - { name: a, command: c, kwargs: { x: *nope } }\n`)).toEqual([
      "3:41 unknown alias *nope: define the anchor &nope before using it",
    ]);
  });

  it("rejects an alias inside its own anchor (a cycle) and more than 100 aliases", () => {
    expect(yamlProblems(`name: n\nsteps:\n  - name: a\n    command: c\n    kwargs: &k { x: *k }\n`)).toEqual([
      "5:21 alias *k is inside its own anchor &k: a value cannot contain itself",
    ]);
    const aliases = Array.from({ length: 150 }, () => "*x").join(",");
    expect(yamlProblems(`name: n\nx: &x 1\ny: [${aliases}]\nsteps: [{ name: a, command: c }]\n`)).toEqual([
      "3:305 too many aliases (more than 100): write the values out instead",
    ]);
  });

  it("does not merge `<<` keys (they are ordinary, unknown keys)", () => {
    const text = `name: n\nsteps:\n  - &s { name: a, command: c }\n  - <<: *s\n    name: b\n`;
    expect(yamlProblems(text)).toEqual([
      '4:5 missing required key "command" in step "b"',
      '4:5 unknown key "<<" in step "b" (allowed keys: name, command, kwargs, description, depends_on, if, map, timeout, retry_count, retry_delay, backoff, max_retry_delay, jitter, skip_on_error, checkpoint, rollback)',
    ]);
  });

  it("keeps __proto__ and constructor keys as data, without touching any prototype", () => {
    const text = `name: n
steps:
  - name: a
    command: c
    kwargs:
      __proto__: { polluted: yes }
      constructor: { prototype: { polluted: yes } }
      nested: [{ __proto__: { polluted: yes } }]
    rollback: { command: u, kwargs: { __proto__: { polluted: yes } } }
`;
    const step = commandSteps(parsePipelineYaml(text, "p.yml"))[0];
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(step?.args)).toBe(Object.prototype);
    expect(Object.keys(step?.args ?? {})).toEqual(["__proto__", "constructor", "nested"]);
    expect(Object.getOwnPropertyDescriptor(step?.args, "__proto__")?.value).toEqual({ polluted: "yes" });
    expect(Object.getOwnPropertyDescriptor(step?.rollback?.args, "__proto__")?.value).toEqual({ polluted: "yes" });
    expect(yamlProblems(`name: n\n__proto__: { polluted: yes }\nsteps: [{ name: a, command: c }]\n`)).toEqual([
      '2:1 unknown key "__proto__" (allowed keys: name, description, params, executor, steps)',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("loadPipelineYaml", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "pipewright-yaml-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a file, and names it in locations", async () => {
    const path = join(dir, "analyze-chip.yml");
    await writeFile(path, ANALYZE_CHIP);
    const spec = await loadPipelineYaml(path, { params: { CHIP_NUMBER: "67" } });
    expect(spec.steps[0]?.location).toEqual({ file: path, line: 5, column: 5 });
    await expect(loadPipelineYaml(path, { env: {} })).rejects.toThrow(`${path}:8:20: unset variable \${CHIP_NUMBER}`);
  });

  it("turns a file that cannot be read into a ValidationError naming the path", async () => {
    const missing = join(dir, "missing.yml");
    await expect(loadPipelineYaml(missing)).rejects.toThrow(ValidationError);
    await expect(loadPipelineYaml(missing)).rejects.toThrow(`cannot read pipeline file ${missing}`);
    await expect(loadPipelineYaml(dir)).rejects.toThrow(`cannot read pipeline file ${dir}`);
  });
});
