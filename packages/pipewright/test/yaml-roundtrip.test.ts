import { describe, expect, it } from "vitest";
import type { PipelineSpec } from "../src/pipeline-spec.js";
import { parsePipelineYaml } from "../src/yaml/load-pipeline-yaml.js";
import { pipelineSpecToYaml } from "../src/yaml/write-pipeline-yaml.js";
import { ANALYZE_CHIP, MY_PIPELINE } from "./fixtures/original-examples.js";
import { commandSteps, withoutLocations } from "./fixtures/yaml-graph/spec-helpers.js";


const EVERY_OPTION = `name: every-option
description: "Every key, and strings that are easy to get wrong"
steps:
  - name: a
    description: "first: the one with everything"
    command: run_a
    kwargs:
      literal_placeholder: $\${HOME}/data
      expression: \${{ steps.a.output }}
      dollars: $$\${X} and $5 and $
      looks_like_number: "67"
      looks_like_bool: "true"
      looks_like_null: "~"
      empty: ""
      spaces: "  padded  "
      multiline: |
        line one
        line two
      special: "- not a list, # not a comment: {}"
      unicode: "température ≥ 0"
      nested: { list: [1, 2.5, -3, null, true], map: { deep: [ { x: "y" } ] } }
      __proto__: { polluted: yes }
    retry_count: 3
    retry_delay: 0.5
    backoff: 1.5
    max_retry_delay: 30
    jitter: 0.25
    skip_on_error: true
    checkpoint: false
    rollback:
      command: undo_a
      kwargs: { really: true }
  - name: b
    command: run_b
    jitter: true
    rollback: { command: undo_b }
  - name: c
    command: run_c
    jitter: false
    retry_count: 0
    checkpoint: true
`;

const load = (text: string) => parsePipelineYaml(text, "p.yml", { env: { CHIP_NUMBER: "67" } });

describe("parse(write(parse(x))) equals parse(x), locations aside", () => {
  it.each([
    ["my-pipeline.yml", MY_PIPELINE],
    ["analyze-chip.yml", ANALYZE_CHIP],
    ["every option", EVERY_OPTION],
  ])("%s", (_, text) => {
    const spec = load(text);
    const written = pipelineSpecToYaml(spec);
    expect(withoutLocations(load(written))).toEqual(withoutLocations(spec));
    // Writing is stable too.
    expect(pipelineSpecToYaml(load(written))).toBe(written);
  });

  it("keeps `__proto__` keys as data through a round trip", () => {
    const args = commandSteps(load(pipelineSpecToYaml(load(EVERY_OPTION))))[0]?.args ?? {};
    expect(Object.getOwnPropertyDescriptor(args, "__proto__")?.value).toEqual({ polluted: "yes" });
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
  });
});

describe("pipelineSpecToYaml", () => {
  it("writes the example as readable snake_case YAML, blank lines between steps, defaults left out", () => {
    expect(pipelineSpecToYaml(load(MY_PIPELINE))).toBe(`name: my-custom-pipeline
description: Custom workflow for Alisson chips
steps:
  - name: stage-data
    command: stage_all_command
    kwargs:
      raw_root: data/01_raw
      stage_root: data/02_stage/raw_measurements
      workers: 16
      force: true
    retry_count: 1

  - name: build-histories
    command: build_all_histories_command
    kwargs:
      manifest_path: data/02_stage/raw_measurements/_manifest/manifest.parquet
      output_dir: data/02_stage/chip_histories
      chip_group: Alisson
      min_experiments: 5

  - name: extract-metrics
    command: derive_all_metrics_command
    kwargs:
      chip_group: Alisson
      workers: 8
    retry_count: 2
    skip_on_error: true
`);
  });

  it("writes a spec built in code: defaults, Infinity and empty args left out, no locations, no tags, no aliases", () => {
    const shared = { files: ["a.csv", "b.csv"] };
    const spec: PipelineSpec = {
      name: "from-code",
      steps: [
        {
          name: "one",
          command: "run",
          args: shared,
          retryCount: 0,
          retryDelay: 1,
          backoff: 2,
          maxRetryDelay: Number.POSITIVE_INFINITY,
          jitter: 0,
          skipOnError: false,
          checkpoint: true,
          location: { file: "x.ts", line: 1, column: 1 },
          commandLocation: { file: "x.ts", line: 1, column: 1 },
        },
        { name: "two", command: "run", args: shared, jitter: 1, rollback: { command: "undo", args: {} } },
        { name: "three", command: "run", args: {}, description: "cost: ${PRICE}" },
      ],
    };
    const written = pipelineSpecToYaml(spec);
    expect(written).toBe(`name: from-code
steps:
  - name: one
    command: run
    kwargs:
      files:
        - a.csv
        - b.csv

  - name: two
    command: run
    kwargs:
      files:
        - a.csv
        - b.csv
    jitter: 1
    rollback:
      command: undo

  - name: three
    description: "cost: $\${PRICE}"
    command: run
`);
    expect(commandSteps(load(written)).map((s) => s.description)).toEqual([undefined, undefined, "cost: ${PRICE}"]);
  });

  it("escapes every `${` so that loading gives the same strings back", () => {
    const strings = ["${X}", "$${X}", "$$${X}", "${{ e }}", "${X:-d}", "a ${ b", "$", "${"];
    const spec: PipelineSpec = {
      name: "${NAME}",
      description: "${D}",
      steps: strings.map((s, i) => ({ name: `s${i}`, command: "c", args: { s, list: [s], [s]: s } })),
    };
    const loaded = parsePipelineYaml(pipelineSpecToYaml(spec), "p.yml", { env: {} });
    expect(withoutLocations(loaded)).toEqual(spec);
  });
});
