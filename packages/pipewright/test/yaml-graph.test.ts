import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../src/errors.js";
import type { CommandStepSpec, ParallelGroupSpec, PipelineSpec, SubpipelineSpec } from "../src/pipeline-spec.js";
import { loadPipelineYaml, parsePipelineYaml, type LoadOptions } from "../src/yaml/load-pipeline-yaml.js";
import { pipelineSpecToYaml } from "../src/yaml/write-pipeline-yaml.js";
import { withoutLocations } from "./fixtures/yaml-graph/spec-helpers.js";

/** The fixtures' directory, with a trailing slash: messages name files relative to it. */
const dir = fileURLToPath(new URL("./fixtures/yaml-graph/", import.meta.url));
const file = join(dir, "p.yml");
const at = (line: number, column: number, name = "p.yml") => ({ file: join(dir, name), line, column });

const parse = (text: string, options: LoadOptions = {}) => parsePipelineYaml(text, file, { env: {}, ...options });

/** The problems of a document that must not load, as "file:line:column message", paths relative to the fixtures. */
function problems(text: string, options: LoadOptions = {}): string[] {
  try {
    parse(text, options);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.issues.map((i) => `${i.location?.file.replace(dir, "")}:${i.location?.line}:${i.location?.column} ${i.message.replaceAll(dir, "")}`);
  }
  throw new Error("the document loaded, but it should not");
}

/** A one-step pipeline around a step written as YAML lines (indented by the caller as a list item's body). */
const oneStep = (step: string) => `name: n\nsteps:\n  - name: a\n${step}`;

describe("command steps: depends_on, if, timeout", () => {
  it("maps them to dependsOn, condition (as written) with its location, and timeout", () => {
    const spec = parse(`name: n
steps:
  - name: a
    command: c
    depends_on: []
    if: \${{ params.SKIP != 'true' }}
    timeout: 30
  - name: b
    command: c
    depends_on: [a]
    if: params.SKIP != 'true'
    timeout: 0.5
  - name: c
    command: c
`);
    expect(spec.steps).toEqual([
      {
        name: "a",
        command: "c",
        args: {},
        dependsOn: [],
        condition: "${{ params.SKIP != 'true' }}",
        timeout: 30,
        location: at(3, 5),
        commandLocation: at(4, 14),
        conditionLocation: at(6, 9),
      },
      {
        name: "b",
        command: "c",
        args: {},
        dependsOn: ["a"],
        condition: "params.SKIP != 'true'",
        timeout: 0.5,
        location: at(8, 5),
        commandLocation: at(9, 14),
        conditionLocation: at(11, 9),
      },
      // Absent depends_on stays absent: "the entry before", which is not the same as [].
      { name: "c", command: "c", args: {}, location: at(13, 5), commandLocation: at(14, 14) },
    ]);
  });

  it("takes `if: true` / `if: false` as the expressions true and false (e.g. from `if: ${RUN_EXTRA}`)", () => {
    const spec = parse(oneStep("    command: c\n    if: ${RUN}\n"), { params: { RUN: "false" } });
    expect((spec.steps[0] as CommandStepSpec).condition).toBe("false");
  });

  it("leaves ${{ }} in kwargs to the engine, while ${VAR} is substituted around them", () => {
    const spec = parse(oneStep('    command: c\n    kwargs: { out: "${{ steps.x.output.dir }}/${CHIP}" }\n'), { params: { CHIP: "67" } });
    expect((spec.steps[0] as CommandStepSpec).args).toEqual({ out: "${{ steps.x.output.dir }}/67" });
  });
});

describe("map steps", () => {
  it("maps the map block with camelCase keys; items an expression or a literal list", () => {
    const spec = parse(`name: n
steps:
  - name: stage
    command: stage_file
    map:
      items: \${{ steps.list-files.output.files }}
      item_arg: path
      concurrency: 8
      allowed_failures: 5%
  - name: literal
    command: touch
    map: { items: [a.csv, { nested: [1, null] }], allowed_failures: 3 }
  - name: fraction
    command: touch
    map: { items: [], allowed_failures: "0.5%" }
`);
    expect(spec.steps.map((s) => (s as CommandStepSpec).map)).toEqual([
      { items: "${{ steps.list-files.output.files }}", itemArg: "path", concurrency: 8, allowedFailures: "5%" },
      { items: ["a.csv", { nested: [1, null] }], allowedFailures: 3 },
      { items: [], allowedFailures: "0.5%" },
    ]);
  });

  it("rejects bad map values, each at its value", () => {
    const text = `name: n
steps:
  - name: a
    command: c
    map: { items: [1], allowed_failures: "150%" }
  - name: b
    command: c
    map: { items: [1], allowed_failures: -1, concurrency: 0, item_arg: "1x" }
  - name: c
    command: c
    map: { items: "abc", allowed_failures: 1.5 }
  - name: d
    command: c
    map: { item_arg: x, extra: 1 }
    timeout: 0
`;
    const allowed = 'an integer ≥ 0 or a percentage from 0% to 100% (like "5%")';
    expect(problems(text)).toEqual([
      `p.yml:5:42 expected map.allowed_failures to be ${allowed}, got "150%"`,
      `p.yml:8:42 expected map.allowed_failures to be ${allowed}, got -1`,
      "p.yml:8:59 expected map.concurrency to be an integer ≥ 1, got 0",
      'p.yml:8:72 expected map.item_arg to be a name (letters, digits, _ and -, starting with a letter or _), got "1x"',
      'p.yml:11:19 expected map.items to be a list or a ${{ expression }}, got "abc"',
      `p.yml:11:44 expected map.allowed_failures to be ${allowed}, got 1.5`,
      'p.yml:14:10 missing required key "items" in map of step "d"',
      'p.yml:14:25 unknown key "extra" in map of step "d" (allowed keys: items, item_arg, concurrency, allowed_failures)',
      "p.yml:15:14 expected timeout to be a number of seconds > 0, got 0",
    ]);
  });
});

describe("parallel groups", () => {
  const text = `name: n
steps:
  - name: first
    command: c
  - name: analyses
    depends_on: [first]
    parallel:
      - { name: a, command: x }
      - name: b
        command: y
        timeout: 5
      - name: nested
        pipeline: { steps: [{ name: inner, command: z }] }
`;

  it("maps members (command steps and nested pipelines) with their own locations", () => {
    const group = parse(text).steps[1] as ParallelGroupSpec;
    expect(group).toEqual({
      name: "analyses",
      dependsOn: ["first"],
      parallel: [
        { name: "a", command: "x", args: {}, location: at(8, 9), commandLocation: at(8, 29) },
        { name: "b", command: "y", args: {}, timeout: 5, location: at(9, 9), commandLocation: at(10, 18) },
        {
          name: "nested",
          pipeline: { name: "nested", steps: [{ name: "inner", command: "z", args: {}, location: at(13, 29), commandLocation: at(13, 53) }] },
          location: at(12, 9),
        },
      ],
      location: at(5, 5),
    });
  });

  it("rejects keys of other kinds on a group, with the allowed keys", () => {
    expect(problems(`name: n\nsteps:\n  - name: g\n    kwargs: {}\n    iff: x\n    parallel:\n      - { name: a, command: c }\n`)).toEqual([
      'p.yml:4:5 unknown key "kwargs" in step "g" (allowed keys: name, depends_on, parallel)',
      'p.yml:5:5 unknown key "iff" in step "g" (allowed keys: name, depends_on, parallel)',
    ]);
  });

  it("rejects a group inside a group, an empty group, and checks members like steps", () => {
    const text = `name: n
steps:
  - name: g
    parallel:
      - name: inner
        parallel:
          - { name: a, command: c }
      - { name: b, command: c, retry_count: -1 }
      - { command: c }
  - name: h
    parallel: []
`;
    expect(problems(text)).toEqual([
      'p.yml:6:9 parallel groups cannot be nested: step "inner" is in step "g"; list its steps in step "g" directly',
      "p.yml:8:45 expected retry_count to be an integer ≥ 0, got -1",
      'p.yml:9:9 missing required key "name" in step 3 of step "g"',
      "p.yml:11:15 expected parallel to be a non-empty list of steps (command steps or nested pipelines), got an empty list",
    ]);
  });

  it("shares one namespace with the pipeline's entries: duplicate names across a group are reported", () => {
    const text = `name: n
steps:
  - name: a
    command: c
  - name: g
    parallel:
      - { name: b, command: c }
      - { name: a, command: c }
  - name: b
    command: c
  - name: g
    command: c
`;
    expect(problems(text)).toEqual([
      'p.yml:8:17 duplicate step name "a" (first defined at line 3)',
      'p.yml:9:11 duplicate step name "b" (first defined at line 7)',
      'p.yml:11:11 duplicate step name "g" (first defined at line 5)',
    ]);
  });
});

describe("the kind of an entry", () => {
  it("is exactly one of command, parallel or pipeline: one issue at the entry, nothing more about it", () => {
    const text = `name: n
steps:
  - name: g
    command: c
    retry_count: two
    parallel:
      - { name: a, command: c, wat: 1 }
  - name: h
    command: c
    pipeline: x.yml
    parallel: []
`;
    expect(problems(text)).toEqual([
      'p.yml:3:5 expected exactly one of command, parallel or pipeline in step "g", got command and parallel',
      'p.yml:8:5 expected exactly one of command, parallel or pipeline in step "h", got command, parallel and pipeline',
    ]);
  });

  it("is a command step when it names none (as in files written before the other kinds)", () => {
    expect(problems(oneStep("    depends_on: [x]\n"))).toEqual(['p.yml:3:5 missing required key "command" in step "a"']);
  });

  it("decides which keys are allowed: params only on nested pipelines, map/if/kwargs only on command steps", () => {
    const text = `name: n
steps:
  - name: a
    command: c
    params: { X: 1 }
  - name: b
    pipeline: { steps: [{ name: c, command: c }] }
    map: { items: [1] }
    timeout: 3
`;
    expect(problems(text)).toEqual([
      'p.yml:5:5 unknown key "params" in step "a" (allowed keys: name, command, kwargs, description, depends_on, if, map, timeout, retry_count, retry_delay, backoff, max_retry_delay, jitter, skip_on_error, checkpoint, rollback)',
      'p.yml:8:5 unknown key "map" in step "b" (allowed keys: name, depends_on, pipeline, params)',
      'p.yml:9:5 unknown key "timeout" in step "b" (allowed keys: name, depends_on, pipeline, params)',
    ]);
  });
});

describe("step names", () => {
  it("must not contain `/`, which joins a nested pipeline's name and its steps' names", () => {
    expect(problems(`name: n\nsteps:\n  - name: a/b\n    command: c\n  - name: g\n    parallel: [{ name: x/y, command: c }]\n`)).toEqual([
      'p.yml:3:11 expected name to be a non-empty name without "/" (it joins the names of a nested pipeline and its steps), got "a/b"',
      'p.yml:6:24 expected name to be a non-empty name without "/" (it joins the names of a nested pipeline and its steps), got "x/y"',
    ]);
  });

  it("of a nested pipeline's steps are in their own namespace", () => {
    const text = `name: n
steps:
  - { name: a, command: c }
  - name: inline
    pipeline:
      steps:
        - { name: a, command: c }
        - { name: inline, command: c }
        - { name: a, command: c }
`;
    expect(problems(text)).toEqual(['p.yml:9:19 duplicate step name "a" (first defined at line 7)']);
  });
});

describe("expressions are checked when the file loads, at the column of the problem", () => {
  it("in kwargs strings, plain, quoted, nested in lists, with escapes before the problem, and in rollback kwargs", () => {
    const text = `name: n
steps:
  - name: a
    command: c
    kwargs:
      plain: \${{ steps.x.output ) }}
      quoted: "\\t\${{ steps.x.output.dir ! }}"
      list: [ok, "\${{ length( }}"]
      fine: "\${{ steps.x.output }} and \${{ params.Y }}"
    rollback: { command: u, kwargs: { dir: "\${{ 'unclosed }}" } }
`;
    expect(problems(text)).toEqual([
      "p.yml:6:33 invalid expression in kwargs.plain of step \"a\": expected an operator or end of expression, found ')'",
      "p.yml:7:41 invalid expression in kwargs.quoted of step \"a\": expected an operator or end of expression, found '!'",
      "p.yml:8:31 invalid expression in kwargs.list[1] of step \"a\": expected a value after '(', found end of expression",
      "p.yml:10:45 invalid expression in rollback.kwargs.dir of step \"a\": unclosed '${{': expected '}}' after it",
    ]);
  });

  it("in if:, in both forms, single-quoted with '' escapes too", () => {
    const text = `name: n
steps:
  - name: a
    command: c
    if: \${{ params.X == = 'y' }}
  - name: b
    command: c
    if: params.X ==
  - name: c
    command: c
    if: '\${{ params.X == ''a'' && # }}'
`;
    expect(problems(text)).toEqual([
      "p.yml:5:25 invalid expression in if of step \"a\": unexpected character '='",
      "p.yml:8:20 invalid expression in if of step \"b\": expected a value after '==', found end of expression",
      "p.yml:11:35 invalid expression in if of step \"c\": unexpected character '#'",
    ]);
  });

  it("in map.items, and in parallel members and inline nested pipelines", () => {
    const text = `name: n
steps:
  - name: a
    command: c
    map: { items: "\${{ steps.x.output + }}" }
  - name: g
    parallel:
      - { name: b, command: c, if: "params.X ==" }
  - name: nested
    pipeline:
      steps:
        - { name: c, command: c, kwargs: { x: "\${{ ( }}" } }
`;
    expect(problems(text)).toEqual([
      "p.yml:5:39 invalid expression in map.items of step \"a\": unexpected character '+'",
      "p.yml:8:48 invalid expression in if of step \"b\": expected a value after '==', found end of expression",
      "p.yml:12:54 invalid expression in kwargs.x of step \"nested/c\": expected a value after '(', found end of expression",
    ]);
  });
});

describe("unknown commands (with knownCommands) are reported everywhere", () => {
  it("in parallel members, rollbacks, inline nested pipelines and nested files", () => {
    const text = `name: n
steps:
  - name: g
    parallel:
      - { name: a, command: nope, rollback: { command: undo_nope } }
  - name: inline
    pipeline: { steps: [{ name: b, command: zz }] }
  - name: file
    pipeline: chip.yml
`;
    expect(problems(text, { knownCommands: ["load_chip"] })).toEqual([
      "p.yml:5:29 Unknown command: nope (known: load_chip)",
      "p.yml:5:56 Unknown command: undo_nope (known: load_chip)",
      "p.yml:7:45 Unknown command: zz (known: load_chip)",
      "chip.yml:11:14 Unknown command: fit_chip (known: load_chip)",
    ]);
  });
});

describe("nested pipelines from files", () => {
  it("load relative to the including file, with the entry's params over the file's own defaults", () => {
    const spec = parse(`name: n
params: { CHIP: "67" }
steps:
  - name: per-chip
    depends_on: []
    pipeline: chip.yml
    params: { CHIP: "\${CHIP}", EXTRA: 1 }
`);
    const nested = spec.steps[0] as SubpipelineSpec;
    expect(nested).toEqual({
      name: "per-chip",
      dependsOn: [],
      pipeline: {
        name: "chip",
        description: "One chip's analysis",
        // Its defaults, overridden by what the entry gives (the outer ${CHIP} substituted first).
        params: { CHIP: "67", MODE: "quick", EXTRA: "1" },
        steps: [
          { name: "load", command: "load_chip", args: { chip: "67", mode: "quick" }, location: at(7, 5, "chip.yml"), commandLocation: at(8, 14, "chip.yml") },
          {
            name: "fit",
            command: "fit_chip",
            args: { rows: "${{ steps.load.output.rows }}" },
            location: at(10, 5, "chip.yml"),
            commandLocation: at(11, 14, "chip.yml"),
          },
        ],
      },
      path: "chip.yml",
      params: { CHIP: "67", EXTRA: "1" },
      location: at(4, 5),
    });
  });

  it("see the environment, but not the including file's --param or defaults", () => {
    const text = `name: n\nparams: { MODE: full }\nsteps:\n  - { name: p, pipeline: chip.yml }\n`;
    const args = (spec: PipelineSpec) => ((spec.steps[0] as SubpipelineSpec).pipeline.steps[0] as CommandStepSpec).args;
    expect(args(parse(text, { params: { CHIP: "1" } }))).toEqual({ chip: "0", mode: "quick" });
    expect(args(parse(text, { env: { CHIP: "2", MODE: "env" } }))).toEqual({ chip: "2", mode: "env" });
  });

  it("report their own problems with their own file and lines, after the including file's", () => {
    const text = `name: n
steps:
  - name: a
    command: c
    retry_count: x
  - name: b
    pipeline: broken.yml
`;
    expect(problems(text)).toEqual([
      'p.yml:5:18 expected retry_count to be an integer ≥ 0, got "x"',
      'broken.yml:5:5 unknown key "retry_cont" in step "x"; did you mean "retry_count"?',
      "broken.yml:8:31 invalid expression in if of step \"y\": expected a value after '==', found end of expression",
      "broken.yml:9:23 unset variable ${LEVEL} (give it in the params: of the entry that includes this pipeline, or set it in the environment)",
    ]);
  });

  it("report a file that cannot be read at the pipeline: value", () => {
    expect(problems(`name: n\nsteps:\n  - name: a\n    pipeline: nope.yml\n`)).toEqual([
      "p.yml:4:15 cannot read pipeline file nope.yml: ENOENT: no such file or directory, open 'nope.yml'",
    ]);
  });

  it("report an include cycle once, naming the chain of files, where it closes", () => {
    expect(problems(`name: n\nsteps:\n  - name: a\n    pipeline: cycle-a.yml\n`)).toEqual([
      "cycle-b.yml:4:15 pipeline files include each other: cycle-a.yml → cycle-b.yml → cycle-a.yml",
    ]);
    // A file that includes itself.
    const self = readFileSync(join(dir, "cycle-a.yml"), "utf8").replace("cycle-b.yml", "cycle-a.yml");
    expect(() => parsePipelineYaml(self, join(dir, "cycle-a.yml"), { env: {} })).toThrow("pipeline files include each other: ");
  });

  it("stop loading after 1000 nested files in one load, with one issue (files that include one another many times)", () => {
    const tmp = mkdtempSync(join(tmpdir(), "pipewright-nested-"));
    try {
      // Each level includes the next one 11 times: 11 + 121 + 1331 loads.
      const level = (k: number) => `name: l${k}\nsteps:\n${Array.from({ length: 11 }, (_, i) => `  - { name: s${i}, pipeline: l${k + 1}.yml }`).join("\n")}\n`;
      writeFileSync(join(tmp, "l1.yml"), level(1));
      writeFileSync(join(tmp, "l2.yml"), level(2));
      writeFileSync(join(tmp, "l3.yml"), "name: leaf\nsteps: [{ name: x, command: c }]\n");
      const error = (() => {
        try {
          parsePipelineYaml(level(0), join(tmp, "l0.yml"), { env: {} });
        } catch (e) {
          return e as ValidationError;
        }
      })();
      expect(error?.issues.map((i) => i.message)).toEqual([
        "too many nested pipeline files (more than 1000 in one load): do the files include one another many times?",
      ]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 30_000);

  it("are found from loadPipelineYaml too, relative to the file", async () => {
    const spec = await loadPipelineYaml(join(dir, "lab.yml"), { env: {} });
    expect((spec.steps[4] as SubpipelineSpec).pipeline.name).toBe("chip");
  });
});

describe("inline nested pipelines", () => {
  it("take their name from the entry unless they have one, and see only the entry's params, the environment and their defaults", () => {
    const spec = parse(
      `name: n
params: { OUTER: o }
steps:
  - name: inline
    pipeline:
      description: in place
      params: { LEVEL: "1", KEEP: k }
      steps:
        - { name: c, command: z, kwargs: { level: "\${LEVEL}", keep: "\${KEEP}", home: "\${HOME}", escaped: "$\${OUTER}" } }
    params: { LEVEL: "\${OUTER}-2" }
  - name: named
    pipeline: { name: other, steps: [{ name: c, command: z }] }
`,
      { env: { HOME: "/home/x" } },
    );
    const [inline, named] = spec.steps as SubpipelineSpec[];
    expect(inline).toEqual({
      name: "inline",
      pipeline: {
        name: "inline",
        description: "in place",
        params: { LEVEL: "o-2", KEEP: "k" },
        steps: [{ name: "c", command: "z", args: { level: "o-2", keep: "k", home: "/home/x", escaped: "${OUTER}" }, location: at(9, 11), commandLocation: at(9, 31) }],
      },
      params: { LEVEL: "o-2" },
      location: at(4, 5),
    });
    expect(named?.pipeline.name).toBe("other");
  });

  it("report a variable of the including file as unset, with a hint about params:", () => {
    expect(problems(`name: n\nparams: { OUTER: o }\nsteps:\n  - name: b\n    pipeline:\n      steps:\n        - { name: x, command: c, kwargs: { a: "\${OUTER}" } }\n`)).toEqual([
      "p.yml:7:48 unset variable ${OUTER} (give it in the params: of the entry that includes this pipeline, or set it in the environment)",
    ]);
  });

  it("report their problems like the including file's, with the steps named <entry>/<step>", () => {
    const text = `name: n
steps:
  - name: in
    pipeline:
      stpes: []
  - name: in2
    pipeline:
      steps:
        - { name: a, command: c, retry_cont: 1 }
        - { command: c }
`;
    expect(problems(text)).toEqual([
      'p.yml:5:7 missing required key "steps" in pipeline of step "in"',
      'p.yml:5:7 unknown key "stpes" in pipeline of step "in"; did you mean "steps"?',
      'p.yml:9:34 unknown key "retry_cont" in step "in2/a"; did you mean "retry_count"?',
      'p.yml:10:11 missing required key "name" in step 2 of step "in2"',
    ]);
  });
});

describe("writing every feature", () => {
  const labFile = join(dir, "lab.yml");
  const lab = readFileSync(labFile, "utf8");
  // Written next to lab.yml (never to disk), so that `pipeline: chip.yml` finds the same file.
  const load = (text: string) => parsePipelineYaml(text, labFile, { env: {} });

  it("round-trips: parse(write(parse(x))) equals parse(x), locations aside, and writing is stable", () => {
    const spec = load(lab);
    const written = pipelineSpecToYaml(spec);
    expect(withoutLocations(load(written))).toEqual(withoutLocations(spec));
    expect(pipelineSpecToYaml(load(written))).toBe(written);
  });

  it("writes snake_case keys, `if:` and ${{ }} as written, groups as nested lists, file pipelines as their path", () => {
    const written = pipelineSpecToYaml(load(lab));
    expect(written).toContain(`  - name: list-files
    description: what there is to stage
    command: list_files
    kwargs:
      root: data/raw
    depends_on: []
    if: \${{ params.SKIP != 'true' }}
    timeout: 30
`);
    expect(written).toContain(`    map:
      items: \${{ steps.list-files.output.files }}
      item_arg: path
      concurrency: 8
      allowed_failures: 5%
    retry_count: 2
`);
    expect(written).toContain(`  - name: analyses
    depends_on: [stage, literal-map]
    parallel:
      - name: a
        command: x
`);
    expect(written).toContain(`      - name: per-chip-in-group
        pipeline: chip.yml
        params:
          CHIP: "7"
`);
    expect(written).toContain(`  - name: per-chip
    pipeline: chip.yml
    params:
      CHIP: "67"
`);
    // The inline pipeline: its name is the entry's, so it is left out; its defaults come out merged.
    expect(written).toContain(`  - name: inline
    depends_on: [per-chip]
    pipeline:
      description: written in place
      params:
        LEVEL: "2"
      steps:
`);
    expect(written).not.toMatch(/location|load_chip/);
  });

  it("writes a spec built in code: an inline pipeline with its own name, params escaped where they are substituted", () => {
    const spec: PipelineSpec = {
      name: "from-code",
      steps: [
        {
          name: "nested",
          params: { X: "${literal}" },
          pipeline: { name: "other", params: { X: "${kept}" }, steps: [{ name: "s", command: "c", args: { v: "${{ params.X }}" }, condition: "true" }] },
        },
      ],
    };
    const written = pipelineSpecToYaml(spec);
    expect(written).toBe(`name: from-code
steps:
  - name: nested
    pipeline:
      name: other
      params:
        X: \${kept}
      steps:
        - name: s
          command: c
          kwargs:
            v: \${{ params.X }}
          if: "true"
    params:
      X: $\${literal}
`);
    expect(withoutLocations(parse(written))).toEqual({ ...spec, steps: [{ ...spec.steps[0], pipeline: { ...(spec.steps[0] as SubpipelineSpec).pipeline, params: { X: "${literal}" } } }] });
  });
});
