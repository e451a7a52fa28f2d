import { afterEach, describe, expect, it } from "vitest";
import { yamlProblems } from "./fixtures/yaml-problems.js";
import { escapeInterpolation, interpolate, variableLookup, yamlScalarValue } from "../src/yaml/interpolate.js";
import { parsePipelineYaml, type LoadOptions } from "../src/yaml/load-pipeline-yaml.js";
import { commandSteps } from "./fixtures/yaml-graph/spec-helpers.js";

const vars = variableLookup({ CHIP: "67", NAME: "alisson", EMPTY: "" });

/** The args of a one-step pipeline whose kwargs are `kwargs` (YAML text, one entry per line). */
function argsOf(kwargs: string, options: LoadOptions = {}) {
  const body = kwargs.split("\n").map((line) => `      ${line}`).join("\n");
  const text = `name: n\nsteps:\n  - name: a\n    command: c\n    kwargs:\n${body}\n`;
  return commandSteps(parsePipelineYaml(text, "p.yml", { env: {}, ...options }))[0]?.args;
}

describe("interpolate", () => {
  it("substitutes ${VAR} and ${VAR:-default}", () => {
    expect(interpolate("chip ${CHIP} of ${NAME}", vars)).toEqual({ text: "chip 67 of alisson", whole: false, problems: [] });
    expect(interpolate("${CHIP}", vars)).toEqual({ text: "67", whole: true, problems: [] });
    expect(interpolate("${MISSING:-fallback value}", vars).text).toBe("fallback value");
    expect(interpolate("${MISSING:-}", vars).text).toBe("");
    expect(interpolate("${CHIP:-other}", vars).text).toBe("67");
    expect(interpolate("${EMPTY:-other}", vars).text).toBe(""); // set, even if empty
  });

  it("writes $${ as a literal ${, and leaves other dollars alone", () => {
    // "$$${" is "$" then "$${": the first "$${" from the left is the escape.
    expect(interpolate("cost $5, $${CHIP} and $$${CHIP}", vars).text).toBe("cost $5, ${CHIP} and $${CHIP}");
    expect(interpolate("$$x $", vars).text).toBe("$$x $");
    expect(interpolate("$${CHIP}", vars).whole).toBe(false);
  });

  it("leaves ${{ ... }} expressions untouched, verbatim", () => {
    const expression = "${{ steps.load.output.rows > 0 && '${CHIP}' }}";
    expect(interpolate(`if ${expression} then`, vars)).toEqual({ text: `if ${expression} then`, whole: false, problems: [] });
    expect(interpolate("${{ unclosed", vars).text).toBe("${{ unclosed");
  });

  it("reports unset, malformed and unclosed placeholders with their index", () => {
    expect(interpolate("a ${NOPE} b", vars).problems).toEqual([
      { index: 2, message: "unset variable ${NOPE} (give it with --param NOPE=... or set it in the environment)" },
    ]);
    for (const bad of ["${1X}", "${}", "${A-B}", "${A:default}", "${A:-${B}}"]) {
      expect(interpolate(`x ${bad}`, vars).problems[0]).toMatchObject({ index: 2, message: expect.stringMatching(/^malformed placeholder/) as unknown });
    }
    expect(interpolate("x ${CHIP", vars).problems).toEqual([
      { index: 2, message: 'unclosed placeholder "${CHIP": add a "}" (or write $${ for a literal ${)' },
    ]);
  });

  it("escapeInterpolation is undone by interpolate, whatever the string", () => {
    const nothing = variableLookup({});
    for (const text of ["${X}", "$${X}", "$$${X}", "${{ e }}", "$", "a$", "${", "${X", "$$", "plain", "${X:-y} and ${{ z }}"]) {
      expect(interpolate(escapeInterpolation(text), nothing)).toEqual({ text, whole: false, problems: [] });
    }
    // Every string of up to 6 characters from "$", "{", "}" and "x".
    let texts = [""];
    for (let length = 1; length <= 6; length++) {
      texts = texts.flatMap((text) => ["$", "{", "}", "x"].map((c) => text + c));
      for (const text of texts) expect(interpolate(escapeInterpolation(text), nothing).text).toBe(text);
    }
  });

  it("escapeInterpolation leaves ${{ expressions }} readable, except right after a $", () => {
    expect(escapeInterpolation("${{ steps.a.output }}/${X}")).toBe("${{ steps.a.output }}/$${X}");
    expect(escapeInterpolation("${{ '${X}' }}")).toBe("${{ '${X}' }}");
    expect(escapeInterpolation("$${{ e }}")).toBe("$$${{ e }}");
  });
});

describe("variableLookup", () => {
  it("takes the first source that has the variable", () => {
    const lookup = variableLookup({ A: "param" }, { A: "env", B: "env", C: undefined }, { A: "d", B: "d", C: "d", D: "d" });
    expect(["A", "B", "C", "D", "E"].map(lookup)).toEqual(["param", "env", "d", "d", undefined]);
  });

  it("does not find Object.prototype members", () => {
    const lookup = variableLookup({}, {});
    expect(["constructor", "toString", "__proto__", "hasOwnProperty"].map(lookup)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe("yamlScalarValue", () => {
  it("types plain scalars the way YAML's core schema does", () => {
    expect(["67", "-1.5", "0x1F", "1e3", "true", "False", "null", "~"].map(yamlScalarValue)).toEqual([67, -1.5, 31, 1000, true, false, null, null]);
  });

  it("keeps anything that is not one plain scalar as the string", () => {
    for (const text of ["", "abc", " 67", "67 ", "67 # note", "a: b", "[1, 2]", "- x", "'67'", "!!str 67", "&a 67", "*a", "1\n2", "{x}"]) {
      expect(yamlScalarValue(text)).toBe(text);
    }
  });
});

describe("placeholders in a pipeline file", () => {
  it("a value that is exactly one placeholder takes the type of the substituted value", () => {
    const args = argsOf("n: ${N}\nflag: ${FLAG}\nratio: ${RATIO}\nnone: ${NONE}\nword: ${WORD}\nlist: ${LIST}", {
      params: { N: "67", FLAG: "true", RATIO: "0.5", NONE: "~", WORD: "yes", LIST: "[1, 2]" },
    });
    // "yes" is a string in YAML 1.2, and text that is not a plain scalar stays text.
    expect(args).toEqual({ n: 67, flag: true, ratio: 0.5, none: null, word: "yes", list: "[1, 2]" });
  });

  it("placeholders inside a longer string, quoted values and block scalars are substituted as text", () => {
    const args = argsOf('path: data/${N}/raw\nquoted: "${N}"\nsingle: \'${N}\'\ntagged: !!str ${N}\nblock: |-\n  ${N}', { params: { N: "67" } });
    expect(args).toEqual({ path: "data/67/raw", quoted: "67", single: "67", tagged: "67", block: "67" });
  });

  it("substitutes in every value (names, commands, options, lists), not in keys", () => {
    const text = `name: \${P}-pipeline
steps:
  - name: stage-\${P}
    command: \${CMD}
    retry_count: \${RETRIES}
    kwargs:
      \${P}:
        - \${P}
        - "x\${P}"
`;
    const spec = parsePipelineYaml(text, "p.yml", { env: {}, params: { P: "7", CMD: "run", RETRIES: "3" } });
    expect(spec.name).toBe("7-pipeline");
    expect(spec.steps[0]).toMatchObject({ name: "stage-7", command: "run", retryCount: 3, args: { "${P}": [7, "x7"] } });
  });

  it("writes $${ as a literal ${ and leaves ${{ }} untouched", () => {
    expect(argsOf('a: $${HOME}\nb: "${{ steps.a.output }}"\nc: pre ${{ x }} ${N}', { params: { N: "1" } })).toEqual({
      a: "${HOME}",
      b: "${{ steps.a.output }}",
      c: "pre ${{ x }} 1",
    });
  });

  it("reports an unset variable at the placeholder itself, in plain and quoted scalars", () => {
    const text = `name: n\nsteps:\n  - name: a\n    command: c\n    kwargs:\n      x: data/\${CHIP_NUMBER}\n      y: "at \${CHIP_NUMBER}"\n      z: |\n        \${CHIP_NUMBER}\n`;
    const message = "unset variable ${CHIP_NUMBER} (give it with --param CHIP_NUMBER=... or set it in the environment)";
    // A block scalar's value is not its source text: the problem points at the scalar.
    expect(yamlProblems(text)).toEqual([`6:15 ${message}`, `7:14 ${message}`, `8:10 ${message}`]);
  });

  it("counts escapes of quoted scalars as the characters they stand for", () => {
    const text = `name: n\nsteps:\n  - name: a\n    command: c\n    kwargs:\n      x: "\\t\\u00e9\\" \${X}"\n      y: 'it''s \${X}'\n`;
    const message = "unset variable ${X} (give it with --param X=... or set it in the environment)";
    expect(yamlProblems(text)).toEqual([`6:22 ${message}`, `7:17 ${message}`]);
  });

  it("reports malformed placeholders with their location", () => {
    const text = `name: n\nsteps:\n  - name: a\n    command: c\n    kwargs:\n      x: \${1X}\n      y: ok \${OPEN\n`;
    expect(yamlProblems(text)).toEqual([
      '6:10 malformed placeholder "${1X}": write ${NAME} or ${NAME:-default}, where NAME is letters, digits and _ and does not start with a digit (or write $${ for a literal ${)',
      '7:13 unclosed placeholder "${OPEN": add a "}" (or write $${ for a literal ${)',
    ]);
  });

  it("looks up given params, then the environment, then params: defaults, then the inline default", () => {
    const text = `name: n
params:
  A: from-defaults
  B: from-defaults
  C: from-defaults
  N: 5
steps:
  - name: s
    command: c
    kwargs:
      a: \${A:-inline}
      b: \${B:-inline}
      c: \${C:-inline}
      d: \${D:-inline}
      n: \${N}
`;
    const spec = parsePipelineYaml(text, "p.yml", { params: { A: "from-params" }, env: { A: "from-env", B: "from-env" } });
    expect(commandSteps(spec)[0]?.args).toEqual({ a: "from-params", b: "from-env", c: "from-defaults", d: "inline", n: 5 });
  });

  it("keeps params: defaults as written and does not interpolate them", () => {
    const text = `name: n\nparams:\n  V: 1.50\n  W: \${V}\nsteps:\n  - { name: s, command: c, kwargs: { v: "v\${V}", w: "\${W}" } }\n`;
    expect(commandSteps(parsePipelineYaml(text, "p.yml", { env: {} }))[0]?.args).toEqual({ v: "v1.50", w: "${V}" });
  });

  describe("the environment", () => {
    const name = "PIPEWRIGHT_TEST_CHIP";
    afterEach(() => {
      delete process.env[name];
    });

    it("defaults to process.env", () => {
      process.env[name] = "42";
      expect(argsOf(`chip: "\${${name}}"\nn: \${${name}}`, { env: undefined })).toEqual({ chip: "42", n: 42 });
    });
  });

  it("does not resolve ${constructor} or ${__proto__} from Object.prototype", () => {
    const text = `name: n\nsteps:\n  - { name: s, command: c, kwargs: { a: "\${constructor}", b: "\${__proto__}" } }\n`;
    expect(yamlProblems(text).map((p) => p.replace(/ \(.*/, ""))).toEqual([
      "3:42 unset variable ${constructor}",
      "3:63 unset variable ${__proto__}",
    ]);
  });
});
