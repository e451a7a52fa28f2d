/**
 * Property-based tests of the expression language (fast-check): expressions from its grammar, and
 * garbage, against generated scopes. Parsing either gives an expression or throws ExpressionSyntaxError;
 * evaluating gives a JSON value (or undefined, or the `steps` lookup itself) or throws
 * ExpressionEvaluationError: never a TypeError, a RangeError, a stack overflow or a value from a prototype.
 * A failing property prints its seed and path: `fc.assert(..., { seed, path })` replays it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ExpressionEvaluationError,
  ExpressionSyntaxError,
  ScopeLookup,
  evaluateExpression,
  parseCondition,
  parseExpression,
  type ExpressionScope,
} from "../src/expressions/expression.js";
import { TemplateEvaluationError, TemplateSyntaxError, compileTemplate, resolveTemplate } from "../src/expressions/template.js";
import type { Json } from "../src/types.js";

const RUNS = 2000;
const DANGEROUS = ["__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty", "toJSON", "length", "__defineGetter__"];

function expectPrototypeUntouched(): void {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** A JSON value, built only from own data (so a value found anywhere else came from a prototype). */
function isJson(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (depth > 10_000 || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.every((item) => isJson(item, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.values(value).every((item) => isJson(item, depth + 1));
}

// ---------------------------------------------------------------- generators

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(...DANGEROUS, "a", "b", "0", "1"));
const { json } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small" },
    fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("3", " 3.0 ", "1e3", "-0.5", "1".repeat(50_000) + "x", "".padEnd(3000, " ") + "1x")),
    fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
    fc.array(tie("json"), { maxLength: 4 }),
    fc.uniqueArray(fc.tuple(key, tie("json")), { maxLength: 4, selector: ([k]) => k }).map((entries) => Object.fromEntries(entries) as Json),
  ),
}));

/** A scope like the engine's: params, env, a lazy `steps` lookup (own keys only, as the engine's graph Map), item. */
const scope: fc.Arbitrary<ExpressionScope> = fc
  .record({
    params: fc.dictionary(key, fc.string({ maxLength: 6 }), { maxKeys: 4 }),
    steps: fc.dictionary(key, fc.record({ status: fc.constantFrom("success", "failed", "skipped"), output: json }), { maxKeys: 4 }),
    item: json,
  })
  .map(({ params, steps, item }) => ({
    params,
    env: { HOME: "/home/x", PATH: "/bin" },
    steps: new ScopeLookup((name) => (Object.hasOwn(steps, name) ? steps[name] : undefined)),
    item,
    itemIndex: 0,
  }));

const ROOTS = ["params", "env", "steps", "item", "itemIndex", "missing", ...DANGEROUS, "Object", "globalThis", "process", "this"];
const FUNCTIONS = ["contains", "startsWith", "endsWith", "length", "toJSON", "fromJSON", "constructor", "eval", "toString"];

const literal = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => String(n)),
  fc.constantFrom("true", "false", "null", "1e400", "-1e400", "0.5", "-3", "'3'", "' 3.0 '", "'[1,2]'", "'{\"a\":1}'", "'[[[[[[]]]]]]'"),
  fc.string({ maxLength: 8 }).map((s) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`),
  fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
);

const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    literal,
    fc.constantFrom(...ROOTS),
    fc.tuple(tie("expr"), fc.constantFrom(...ROOTS, "output", "status", "a", "0")).map(([o, k]) => `${o}.${k}`),
    fc.tuple(tie("expr"), tie("expr")).map(([o, k]) => `${o}[${k}]`),
    fc.tuple(fc.constantFrom(...FUNCTIONS), fc.array(tie("expr"), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(", ")})`),
    tie("expr").map((e) => `!${e}`),
    tie("expr").map((e) => `(${e})`),
    fc.tuple(tie("expr"), fc.constantFrom("||", "&&", "==", "!=", "<", "<=", ">", ">="), tie("expr")).map(([a, op, b]) => `${a} ${op} ${b}`),
  ),
}));

/** Grammar output, garbled: characters deleted, inserted, or the text cut. */
const garbled = fc
  .tuple(expr, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom("(", ")", "[", "]", "'", '"', "\\", "!", ".", ",", "${{", "}}"))), { maxLength: 4 }))
  .map(([text, edits]) => edits.reduce((t, [at, remove, insert]) => t.slice(0, at % (t.length + 1)) + insert + t.slice((at % (t.length + 1)) + remove), text));

const source = fc.oneof(expr, expr, garbled, fc.string({ maxLength: 40 }), fc.string({ maxLength: 40, unit: "binary" }));

/** Parses and evaluates; returns nothing, fails the property on any error but the language's own. */
function check(text: string, values: ExpressionScope): void {
  const started = performance.now();
  let parsed;
  try {
    parsed = parseExpression(text);
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw new Error(`parse of ${JSON.stringify(text)} threw ${String(error)}`, { cause: error });
    expect(error.index).toBeGreaterThanOrEqual(0);
    expect(error.index).toBeLessThanOrEqual(text.length);
    return;
  }
  try {
    const value = evaluateExpression(parsed, values);
    if (value !== undefined && !(value instanceof ScopeLookup) && !isJson(value)) {
      throw new Error(`${JSON.stringify(text)} gave a value that is not plain JSON: ${typeof value}`);
    }
  } catch (error) {
    if (!(error instanceof ExpressionEvaluationError)) throw new Error(`evaluation of ${JSON.stringify(text)} threw ${String(error)}`, { cause: error });
  } finally {
    expect(performance.now() - started).toBeLessThan(1000);
    expectPrototypeUntouched();
  }
}

// ---------------------------------------------------------------- properties

describe("expressions (property)", () => {
  it(`grammar expressions, garbled ones and garbage parse or fail with ExpressionSyntaxError; evaluate to JSON or fail with ExpressionEvaluationError (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(source, scope, (text, values) => check(text, values)),
      { numRuns: RUNS },
    );
  });

  it(`if: conditions (\${{ }} or bare) parse or fail with ExpressionSyntaxError at an index inside the text (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(source, fc.constantFrom("", " ", "${{", "${{ "), fc.constantFrom("", "}}", " }} ", "}"), (text, open, close) => {
        const condition = `${open}${text}${close}`;
        try {
          parseCondition(condition);
        } catch (error) {
          if (!(error instanceof ExpressionSyntaxError)) throw error;
          expect(error.index).toBeGreaterThanOrEqual(0);
          expect(error.index).toBeLessThanOrEqual(condition.length);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`\${{ }} templates in JSON values compile or fail with TemplateSyntaxError, resolve to JSON or fail with TemplateEvaluationError (${RUNS} cases)`, () => {
    const templateString = fc
      .array(fc.oneof(fc.string({ maxLength: 5 }), source.map((s) => `\${{ ${s} }}`), fc.constantFrom("${{", "}}", "${{ '}}' }}", "$", "{")), { maxLength: 4 })
      .map((parts) => parts.join(""));
    const template = fc.oneof(
      templateString,
      fc.array(templateString, { maxLength: 3 }),
      fc.uniqueArray(fc.tuple(key, templateString), { maxLength: 3, selector: ([k]) => k }).map((e) => Object.fromEntries(e) as Json),
    );
    fc.assert(
      fc.property(template, scope, (value, values) => {
        let compiled;
        try {
          compiled = compileTemplate(value);
        } catch (error) {
          if (!(error instanceof TemplateSyntaxError)) throw error;
          return;
        }
        try {
          const resolved = resolveTemplate(compiled, values);
          expect(isJson(resolved)).toBe(true);
        } catch (error) {
          if (!(error instanceof TemplateEvaluationError)) throw error;
        }
        expectPrototypeUntouched();
      }),
      { numRuns: RUNS },
    );
  });
});

describe("expressions: deep nesting and long input are rejected quickly", () => {
  const syntaxErrorWithin = (text: string, ms: number) => {
    const started = performance.now();
    expect(() => parseExpression(text)).toThrow(ExpressionSyntaxError);
    expect(performance.now() - started).toBeLessThan(ms);
  };

  it.each([
    ["10,000 nested parentheses", `${"(".repeat(10_000)}1${")".repeat(10_000)}`],
    ["4,999 nested parentheses (under the length limit)", `${"(".repeat(4_999)}1${")".repeat(4_999)}`],
    ["9,999 negations", `${"!".repeat(9_999)}1`],
    ["nested brackets", `${"a[".repeat(3_000)}1${"]".repeat(3_000)}`],
    ["nested calls", `${"length(".repeat(1_000)}1${")".repeat(1_000)}`],
    ["a 100,000-character expression", `a${" || a".repeat(20_000)}`],
    ["an unterminated 9,000-character string", `'${"x".repeat(9_000)}`],
  ])("%s", (_label, text) => syntaxErrorWithin(text, 200));

  // Found by the grammar property (seed 1217932779, "((-1e400))"): a number literal out of range was
  // Infinity, which is not JSON (a template put it into args, a checkpoint turned it into null).
  it.each(["1e400", "-1e400", "x == 1e309", "toJSON(1e999)"])("%s is rejected as out of range", (text) => {
    expect(() => parseExpression(text)).toThrow(/out of range/);
  });

  it("evaluates a long flat chain (a || a || …, a.b.b.b…) without recursion", () => {
    expect(evaluateExpression(parseExpression(`x${" || x".repeat(1_600)}`), { x: 0 })).toBe(0);
    expect(evaluateExpression(parseExpression(`x${".b".repeat(4_000)}`), { x: { b: 1 } })).toBeUndefined();
  });

  // Found while writing these properties (probing comparisons with long step outputs): toNumber's regex /\d+\.?\d*/ backtracked quadratically on a long run
  // of digits that is not a number; comparing such a step output took 44 s (50,000 digits).
  it("compares a 50,000-digit non-number with a number in milliseconds (was a regex blow-up)", () => {
    const started = performance.now();
    const digits = { x: `${"1".repeat(50_000)}x`, y: `${" ".repeat(50_000)}1x` };
    expect(evaluateExpression(parseExpression("x < 1 || x == 1 || y >= 1 || x == '1'"), digits)).toBe(false);
    expect(evaluateExpression(parseExpression("x == x"), { x: "1".repeat(50_000) })).toBe(true);
    expect(performance.now() - started).toBeLessThan(200);
  });

  // Found while writing these properties (probing deep values): JSON.stringify of a deeply nested value overflowed the stack (RangeError)
  // in toJSON(), ==, contains() and text templates; a BigInt in a scope threw a TypeError.
  it("toJSON, == and templates of values nested 100,000 deep fail with the language's own error", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const values = { x: deep, y: [deep], big: 1n };
    for (const text of ["toJSON(x)", "x == y", "contains(x, y)", "toJSON(big)"]) {
      expect(() => evaluateExpression(parseExpression(text), values), text).toThrow(ExpressionEvaluationError);
    }
    const nested = `fromJSON('${"[".repeat(4_900)}${"]".repeat(4_900)}')`;
    expect(() => evaluateExpression(parseExpression(`toJSON(${nested})`), {})).toThrow(ExpressionEvaluationError);
    expect(() => resolveTemplate(compileTemplate("a ${{ x }}"), values)).toThrow(TemplateEvaluationError);
    expect(() => resolveTemplate(compileTemplate("${{ toJSON(x) }}"), values)).toThrow(TemplateEvaluationError);
  });
});

describe("expressions: property access never reaches a prototype", () => {
  const values: ExpressionScope = {
    params: { MODE: "full" },
    env: process.env,
    steps: new ScopeLookup((name) => (name === "a" ? { status: "success", output: { files: ["x"] } } : undefined)),
    item: "text",
    list: [1, 2],
  };
  it.each([
    "steps.__proto__",
    "steps['__proto__']",
    "steps.constructor",
    "steps.a.__proto__",
    "steps.a.output.constructor",
    "steps.a.output.files.length",
    "steps.a.output.files.constructor",
    "params.constructor",
    "params.constructor.name",
    "params['constructor']['prototype']",
    "params.__proto__.polluted",
    "params.toString",
    "params.hasOwnProperty",
    "env.constructor",
    "env.__proto__",
    "item.length",
    "item.constructor",
    "list.length",
    "list.map",
    "list.__proto__",
    "constructor",
    "__proto__",
    "toJSON",
    "toJSON.constructor",
    "Object",
    "globalThis",
    "process",
    "this",
    "fromJSON('{\"__proto__\": {\"polluted\": 1}}').polluted",
  ])("%s is undefined", (text) => {
    expect(evaluateExpression(parseExpression(text), values)).toBeUndefined();
    expectPrototypeUntouched();
  });

  it("fromJSON with a __proto__ key gives data, not a prototype", () => {
    const value = evaluateExpression(parseExpression(`fromJSON('{"__proto__": {"polluted": 1}}')`), {}) as object;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value, "__proto__")?.value).toEqual({ polluted: 1 });
    expectPrototypeUntouched();
  });

  it.each(["constructor(1)", "eval('1')", "toString()", "__proto__(1)", "hasOwnProperty('a')"])("%s is an unknown function", (text) => {
    expect(() => parseExpression(text)).toThrow(/unknown function/);
  });

  it("a getter in the scope is never run", () => {
    let ran = false;
    const object = Object.defineProperty({}, "secret", { get: () => ((ran = true), 1), enumerable: true });
    expect(evaluateExpression(parseExpression("x.secret"), { x: object })).toBeUndefined();
    expect(ran).toBe(false);
  });
});
