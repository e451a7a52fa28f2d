/**
 * Property-based tests of the YAML loader (fast-check): thousands of generated documents.
 * - Well-formed documents built from the schema load, and give back exactly what was written.
 * - Mutated and random documents either load or throw a ValidationError whose every issue is located
 *   (line and column ≥ 1): never another exception, never a hang, never a change to Object.prototype.
 * A failing property prints its seed and path: `fc.assert(..., { seed, path })` replays it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { ValidationError } from "../src/errors.js";
import { Pipeline } from "../src/pipeline.js";
import type { Json } from "../src/types.js";
import { parsePipelineYaml, type LoadOptions } from "../src/yaml/load-pipeline-yaml.js";

/** Runs of the properties that generate whole pipelines (about 8 ms each); the cheaper ones run twice as many. */
const RUNS = 1000;
/** Those take 5-10 s; the limit leaves room for a loaded machine. */
const PROPERTY_TIMEOUT = 60_000;
const COMMANDS = ["extract", "transform", "load", "exec"];
const noop = () => null;
const REGISTRY = { extract: noop, transform: noop, load: noop };

// Nested `pipeline: <file>` entries are read relative to the file: keep them inside an empty directory.
const dir = mkdtempSync(join(tmpdir(), "pipewright-property-yaml-"));
const FILE = join(dir, "p.yml");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Object.prototype as it was before any document was loaded. */
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
function expectPrototypeUntouched(): void {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
}

type Outcome = { loaded: true } | { loaded: false; error: ValidationError };

/** Loads `text`: either it loads, or it throws a ValidationError whose every issue is located. Anything else fails the property. */
function load(text: string, options: LoadOptions = {}): Outcome {
  const started = performance.now();
  try {
    parsePipelineYaml(text, FILE, { env: {}, knownCommands: COMMANDS, ...options });
    return { loaded: true };
  } catch (error) {
    if (!(error instanceof ValidationError)) {
      throw new Error(`not a ValidationError: ${String(error)}\n--- document ---\n${text}`, { cause: error });
    }
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      if (!issue.location || issue.location.line < 1 || issue.location.column < 1) {
        throw new Error(`issue without a location: ${JSON.stringify(issue)}\n--- document ---\n${text}`);
      }
    }
    return { loaded: false, error };
  } finally {
    // A document that takes long to reject is a denial of service.
    expect(performance.now() - started).toBeLessThan(2000);
    expectPrototypeUntouched();
  }
}

// ---------------------------------------------------------------- generators

const DANGEROUS_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "__defineGetter__", "valueOf"];
const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...DANGEROUS_KEYS));

/** Text without `$`, `{` and `}`: the parts between placeholders. */
const plainText = fc.string({ maxLength: 10, unit: "grapheme" }).map((s) => s.replace(/[${}]/g, ""));

/** A name: no `/` (it joins nested names), no `$` (it would be a placeholder), not blank. */
const name = fc
  .string({ minLength: 1, maxLength: 12, unit: "grapheme" })
  .map((s) => s.replace(/[/$]/g, "_"))
  .filter((s) => s.trim() !== "");

const PARAMS: Record<string, string> = { CHIP: "67", MODE: "full", EMPTY: "", WEIRD: "; rm -rf / $(x) `y` \n'\"" };
const VARIABLES = Object.keys(PARAMS);

/** One piece of a kwarg string: what is written, and what the loader must make of it. */
const piece: fc.Arbitrary<{ written: string; loaded: string }> = fc.oneof(
  plainText.map((t) => ({ written: t, loaded: t })),
  fc.constantFrom(...VARIABLES).map((v) => ({ written: `\${${v}}`, loaded: PARAMS[v] ?? "" })),
  fc.constantFrom("MISSING_A", "MISSING_B").map((v) => ({ written: `\${${v}:-dflt}`, loaded: "dflt" })),
  fc.constantFrom("${{ params.CHIP }}", "${{ item }}", "${{ length(params.MODE) > 0 && 'x' }}", "${{ toJSON(params) }}").map((e) => ({
    written: e,
    loaded: e,
  })),
  fc.constant({ written: "$${lit}", loaded: "${lit}" }),
  fc.constant({ written: "$5", loaded: "$5" }),
);

/** A kwarg string; a leading "s:" keeps it from being one whole `${VAR}` (which takes the type of its value). */
const kwargString = fc.array(piece, { maxLength: 4 }).map((pieces) => ({
  written: `s:${pieces.map((p) => p.written).join("")}`,
  loaded: `s:${pieces.map((p) => p.loaded).join("")}`,
}));

type Pair = { written: Json; loaded: Json };

const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).filter((n) => !Object.is(n, -0));
const scalar: fc.Arbitrary<Pair> = fc.oneof(
  kwargString,
  fc.oneof(number, fc.boolean(), fc.constant(null)).map((v) => ({ written: v, loaded: v })),
);

/** Entries with distinct keys, as an object whose every key (even `__proto__`) is an own property. */
function objectOf(value: fc.Arbitrary<Pair>, maxLength: number): fc.Arbitrary<Pair> {
  return fc.uniqueArray(fc.tuple(key, value), { maxLength, selector: ([k]) => k }).map((entries) => ({
    written: Object.fromEntries(entries.map(([k, v]) => [k, v.written])),
    loaded: Object.fromEntries(entries.map(([k, v]) => [k, v.loaded])),
  }));
}

const { json } = fc.letrec<{ json: Pair }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("json"), { maxLength: 3 }).map((items) => ({ written: items.map((i) => i.written), loaded: items.map((i) => i.loaded) })),
    objectOf(tie("json"), 3),
  ),
}));
const kwargs = objectOf(json, 4);

interface StepGen {
  doc: Record<string, unknown>;
  spec: Record<string, unknown>;
}

const retryOptions = fc.record(
  {
    retry_count: fc.nat({ max: 5 }),
    retry_delay: fc.double({ min: 0, max: 100, noNaN: true }),
    backoff: fc.double({ min: 1, max: 10, noNaN: true }),
    max_retry_delay: fc.double({ min: 0, max: 1000, noNaN: true }),
    jitter: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()),
    skip_on_error: fc.boolean(),
    checkpoint: fc.boolean(),
    timeout: fc.double({ min: 0.001, max: 1e6, noNaN: true }),
  },
  { requiredKeys: [] },
);

const commandStep = fc.record({
  command: fc.constantFrom(...COMMANDS),
  kwargs,
  options: retryOptions,
  map: fc.option(
    fc.record(
      {
        items: fc.oneof(fc.array(json, { maxLength: 4 }).map((items) => items.map((i) => i.written)), fc.constant("${{ params.LIST }}")),
        item_arg: fc.constantFrom("item", "file", "_x-1"),
        concurrency: fc.integer({ min: 1, max: 8 }),
        allowed_failures: fc.oneof(fc.nat({ max: 3 }), fc.constantFrom("5%", "100%", "0%")),
      },
      { requiredKeys: ["items"] },
    ),
    { nil: undefined },
  ),
  condition: fc.option(fc.constantFrom("${{ params.MODE == 'full' }}", "params.CHIP > 3", true, false), { nil: undefined }),
});

/** A document from the schema: command steps, parallel groups, map steps, depends_on among earlier names. */
const pipelineDocument = fc
  .record({
    name,
    description: fc.option(plainText, { nil: undefined }),
    entries: fc.array(
      fc.record({
        // Two command steps for one parallel group; the members of a command step are unused.
        body: fc.oneof(
          { arbitrary: commandStep.map((command) => ({ kind: "command" as const, command, members: [] })), weight: 2 },
          fc.array(commandStep, { minLength: 1, maxLength: 3 }).map((members) => ({ kind: "parallel" as const, members })),
        ),
        dependsOn: fc.array(fc.nat(), { maxLength: 3 }),
        explicitDeps: fc.boolean(),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    names: fc.uniqueArray(name, { minLength: 24, maxLength: 24 }),
  })
  .map(({ name: pipelineName, description, entries, names }) => {
    let next = 0;
    const earlier: string[] = [];
    const steps = entries.map((entry) => {
      const stepName = names[next++] ?? "x";
      const deps = entry.explicitDeps && earlier.length > 0 ? [...new Set(entry.dependsOn.map((d) => earlier[d % earlier.length] ?? ""))] : undefined;
      const depends = deps ? { depends_on: deps } : {};
      earlier.push(stepName);
      const { body } = entry;
      if (body.kind === "parallel") {
        const members = body.members.map((member) => commandEntry(names[next++] ?? "y", member));
        return { doc: { name: stepName, ...depends, parallel: members.map((m) => m.doc) }, spec: { name: stepName } };
      }
      const step = commandEntry(stepName, body.command);
      return { doc: { ...step.doc, ...depends }, spec: step.spec };
    });
    const doc = { name: pipelineName, ...(description !== undefined && { description }), params: { ...PARAMS }, steps: steps.map((s) => s.doc) };
    return { doc, steps };
  });

function commandEntry(stepName: string, step: CommandGen): StepGen {
  const doc: Record<string, unknown> = { name: stepName, command: step.command, kwargs: step.kwargs.written, ...step.options };
  if (step.map) doc.map = step.map;
  if (step.condition !== undefined) doc.if = step.condition;
  if (step.command === "exec") doc.kwargs = { argv: ["node", "-e", "0"] };
  const args = step.command === "exec" ? { argv: ["node", "-e", "0"] } : step.kwargs.loaded;
  return { doc, spec: { name: stepName, command: step.command, args } };
}
type CommandGen = typeof commandStep extends fc.Arbitrary<infer T> ? T : never;

/** A document as YAML text, in one of the styles people write. */
function yamlText(doc: unknown, style: number): string {
  const options = [{}, { defaultStringType: "QUOTE_DOUBLE" as const }, { collectionStyle: "flow" as const }, { indent: 4, indentSeq: false }];
  return stringify(doc, { ...options[style % options.length], lineWidth: 0 });
}

// ---------------------------------------------------------------- properties

describe("YAML loader, well-formed documents (property)", () => {
  it(`loads every generated document and keeps what it says (${RUNS} documents)`, () => {
    fc.assert(
      fc.property(pipelineDocument, fc.nat(3), ({ doc, steps }, style) => {
        const text = yamlText(doc, style);
        const spec = parsePipelineYaml(text, FILE, { env: {}, knownCommands: COMMANDS });
        expectPrototypeUntouched();
        expect(spec.name).toBe(doc.name);
        expect(spec.steps.map((s) => s.name)).toEqual(steps.map((s) => s.spec.name));
        for (const [i, step] of spec.steps.entries()) {
          const expected = steps[i]?.spec;
          if (expected && "command" in expected) {
            expect(step).toMatchObject({ command: expected.command });
            // Compared as own entries: toEqual does not see an own `__proto__` key.
            expect(ownEntries((step as { args: unknown }).args)).toEqual(ownEntries(expected.args));
          }
        }
        // And the engine accepts what the loader gives.
        Pipeline.fromSpec(spec, REGISTRY);
        expectPrototypeUntouched();
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT);

  it("rejects, located, the documents whose depends_on names a later or unknown step", () => {
    fc.assert(
      fc.property(pipelineDocument, name, ({ doc }, missing) => {
        const steps = doc.steps as Record<string, unknown>[];
        fc.pre(!steps.some((s) => s.name === missing));
        const last = steps.findLast((s) => "command" in s);
        fc.pre(last !== undefined);
        last.depends_on = [missing];
        const spec = parsePipelineYaml(yamlText(doc, 0), FILE, { env: {}, knownCommands: COMMANDS });
        expect(() => Pipeline.fromSpec(spec, REGISTRY)).toThrow(ValidationError);
        try {
          Pipeline.fromSpec(spec, REGISTRY);
        } catch (error) {
          for (const issue of (error as ValidationError).issues) expect(issue.location?.line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  // Found by the property above (seed 1430636555): Pipeline.fromSpec dropped the location of parallel
  // members, so their dependency and cycle errors were not located.
  it("locates a parallel group's unknown dependency at the group", () => {
    const text = "name: p\nsteps:\n  - name: g\n    depends_on: [nope]\n    parallel:\n      - name: m\n        command: extract\n";
    const spec = parsePipelineYaml(text, FILE, { env: {} });
    expect(() => Pipeline.fromSpec(spec, REGISTRY)).toThrow(ValidationError);
    try {
      Pipeline.fromSpec(spec, REGISTRY);
    } catch (error) {
      expect((error as ValidationError).issues.map((i) => i.location?.line)).toEqual([3]);
    }
  });
});

/** Own enumerable entries, deeply, as arrays: `__proto__` keys included. */
function ownEntries(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ownEntries);
  if (value !== null && typeof value === "object") return Object.entries(value).map(([k, v]) => [k, ownEntries(v)]);
  return value;
}

const WRONG_VALUES: unknown[] = [null, 0, -1, 1.5, "", "x", true, [], [1], {}, { a: 1 }, "${{", "${", "${ X }", "${{ ( }}", "\0", Infinity];
const KNOWN_KEYS = ["name", "description", "params", "steps", "command", "kwargs", "depends_on", "if", "map", "timeout", "retry_count",
  "retry_delay", "backoff", "max_retry_delay", "jitter", "skip_on_error", "checkpoint", "rollback", "parallel", "pipeline", "items",
  "item_arg", "concurrency", "allowed_failures", ...DANGEROUS_KEYS];

/** Puts `value` at a random place of `doc` (a mapping key, a list item, or the document itself). */
function plant(doc: unknown, path: number[], key: string, value: unknown): unknown {
  if (path.length === 0 || doc === null || typeof doc !== "object") return value;
  const [step = 0, ...rest] = path;
  if (Array.isArray(doc)) {
    if (doc.length === 0) return [value];
    const i = step % doc.length;
    return doc.map((item: unknown, j) => (j === i ? plant(item, rest, key, value) : item));
  }
  const keys = Object.keys(doc);
  const copy: Record<string, unknown> = Object.fromEntries(Object.entries(doc));
  if (keys.length === 0 || step % 3 === 0) {
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    return copy;
  }
  const k = keys[step % keys.length] ?? "";
  Object.defineProperty(copy, k, { value: plant(copy[k], rest, key, value), enumerable: true, writable: true, configurable: true });
  return copy;
}

const edit = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 5 }),
  insert: fc.oneof(
    fc.string({ maxLength: 5 }),
    fc.constantFrom(":", "- ", "\n", "  ", "\t", "#", "&a ", "*a", "!!str ", "!x ", "{", "[", "}", "]", "'", '"', "? ", "|", ">", "${", "${{", "$${", "%YAML 1.2\n---\n", "---\n", "...\n", "<<: *a\n", "\uFEFF", "\0", "\r"),
  ),
});

function mutate(text: string, edits: { at: number; remove: number; insert: string }[]): string {
  let out = text;
  for (const { at, remove, insert } of edits) {
    const i = at % (out.length + 1);
    out = out.slice(0, i) + insert + out.slice(i + remove);
  }
  return out;
}

describe("YAML loader, hostile documents (property)", () => {
  it(`random edits of valid documents load or give a located ValidationError (${RUNS} documents)`, () => {
    fc.assert(
      fc.property(pipelineDocument, fc.nat(3), fc.array(edit, { minLength: 1, maxLength: 6 }), ({ doc }, style, edits) => {
        load(mutate(yamlText(doc, style), edits));
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT);

  it(`wrong types and unknown keys anywhere give a located ValidationError, never a crash (${RUNS} documents)`, () => {
    fc.assert(
      fc.property(
        pipelineDocument,
        fc.array(fc.tuple(fc.array(fc.nat(), { maxLength: 6 }), fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.string({ maxLength: 6 })), fc.constantFrom(...WRONG_VALUES)), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(3),
        ({ doc }, plants, style) => {
          let planted: unknown = doc;
          for (const [path, k, value] of plants) planted = plant(planted, path, k, value);
          load(yamlText(planted, style));
        },
      ),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT);

  it(`any YAML value (fc.anything) as a document, or as a step, loads or gives a located ValidationError (${2 * RUNS} documents)`, () => {
    const anything = fc.anything({ withNullPrototype: true, withBoxedValues: false, maxDepth: 4, key: fc.oneof(fc.string(), fc.constantFrom(...DANGEROUS_KEYS)) });
    fc.assert(
      fc.property(anything, fc.boolean(), fc.nat(3), (value, asStep, style) => {
        let text: string | undefined;
        try {
          text = yamlText(asStep ? { name: "p", steps: [value] } : value, style);
        } catch {
          return; // not representable as YAML (a symbol, a function...)
        }
        load(text ?? ""); // stringify(undefined) is undefined: an empty document
      }),
      { numRuns: 2 * RUNS },
    );
  });

  it(`any text loads or gives a located ValidationError (${2 * RUNS} documents)`, () => {
    const yamlish = fc.string({ maxLength: 200, unit: fc.constantFrom("a", "b", " ", "\n", ":", "-", "&", "*", "!", "{", "}", "[", "]", ",", "'", '"', "#", "$", "?", "|", ">", "%", "@", "\t", "<", "\0", "1", ".") });
    fc.assert(
      fc.property(fc.oneof(yamlish, fc.string({ unit: "binary", maxLength: 100 })), (text) => {
        load(text);
      }),
      { numRuns: 2 * RUNS },
    );
  });

  it("keeps __proto__, constructor and prototype keys as plain data, in kwargs, params and map items", () => {
    const text = [
      "name: p",
      "params:",
      "  X: '1'",
      "steps:",
      "  - name: a",
      "    command: extract",
      "    kwargs:",
      "      __proto__: { polluted: yes }",
      "      constructor: { prototype: { polluted: yes } }",
      "      nested: { __proto__: [1, 2], prototype: '${X}' }",
      "    map:",
      "      items: [{ __proto__: { polluted: 1 } }]",
    ].join("\n");
    const spec = parsePipelineYaml(text, FILE, { env: {}, params: Object.fromEntries([["__proto__", "p"], ["constructor", "c"]]) });
    expectPrototypeUntouched();
    const step = spec.steps[0] as { args: Record<string, unknown>; map: { items: Record<string, unknown>[] } };
    expect(Object.hasOwn(step.args, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(step.args)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(step.args, "__proto__")?.value).toEqual({ polluted: "yes" });
    expect(step.args.constructor).toEqual({ prototype: { polluted: "yes" } });
    const nested = step.args.nested as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(nested, "__proto__")?.value).toEqual([1, 2]);
    expect(nested.prototype).toBe("1");
    expect(Object.getOwnPropertyDescriptor(step.map.items[0], "__proto__")?.value).toEqual({ polluted: 1 });
    // And through the engine (fromSpec copies args) too.
    Pipeline.fromSpec(spec, REGISTRY);
    expectPrototypeUntouched();
  });

  it("rejects __proto__ and constructor as params names only by the usual rule, and never reads Object's", () => {
    // `${constructor}` is an unset variable, not Object's constructor.
    const outcome = load("name: p\nsteps:\n  - name: a\n    command: extract\n    kwargs: { x: '${constructor}', y: '${__proto__}' }\n");
    expect(outcome.loaded).toBe(false);
    if (!outcome.loaded) expect(outcome.error.issues.map((i) => i.message)).toEqual([expect.stringMatching(/unset variable \$\{constructor\}/), expect.stringMatching(/unset variable \$\{__proto__\}/)]);
    // A params mapping with a __proto__ key: data, used as a default.
    const spec = parsePipelineYaml("name: p\nparams: { __proto__: 'v' }\nsteps:\n  - name: a\n    command: extract\n    kwargs: { x: '${__proto__}' }\n", FILE, { env: {} });
    expect((spec.steps[0] as { args: unknown }).args).toEqual({ x: "v" });
    expect(Object.getOwnPropertyDescriptor(spec.params, "__proto__")?.value).toBe("v");
    expectPrototypeUntouched();
  });
});
