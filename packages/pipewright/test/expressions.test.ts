import { describe, expect, it } from "vitest";
import {
  ExpressionEvaluationError,
  ExpressionSyntaxError,
  ScopeLookup,
  evaluateExpression,
  isTruthy,
  parseCondition,
  parseExpression,
  referencedSteps,
  type ExpressionScope,
} from "../src/expressions/expression.js";
import {
  TemplateEvaluationError,
  TemplateSyntaxError,
  compileTemplate,
  resolveTemplate,
  templateStepReferences,
} from "../src/expressions/template.js";
import type { Json } from "../src/types.js";

const run = (source: string, scope: ExpressionScope = {}) => evaluateExpression(parseExpression(source), scope);

/** The error `action` throws, checked to be an instance of `type`. */
function thrown<T extends Error>(type: new (...args: never[]) => T, action: () => unknown): T {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as T;
  }
  throw new Error(`expected a ${type.name}`);
}

const syntaxError = (source: string) => thrown(ExpressionSyntaxError, () => parseExpression(source));

describe("expression literals", () => {
  it.each([
    ["'abc'", "abc"],
    ['"abc"', "abc"],
    ["''", ""],
    ['""', ""],
    ["'a\\\\b'", "a\\b"],
    ["'it\\'s'", "it's"],
    ["'it''s'", "it's"],
    ["''''", "'"],
    ['"say \\"hi\\""', 'say "hi"'],
    ["\"it's\"", "it's"],
    ['"a\'\'b"', "a''b"],
    ["'x\\\"y'", 'x"y'],
    ["'a\\nb\\tc'", "a\nb\tc"],
    ["'}} ${{ (]'", "}} ${{ (]"],
  ])("string %s", (source, value) => {
    expect(run(source)).toBe(value);
  });

  it.each([
    ["12", 12],
    ["-3", -3],
    ["1.5", 1.5],
    ["2e3", 2000],
    ["-1.5E-2", -0.015],
    ["0", 0],
  ])("number %s", (source, value) => {
    expect(run(source)).toBe(value);
  });

  it("true, false and null are literals, not scope names", () => {
    const scope = { true: "no", false: "no", null: "no" };
    expect(run("true", scope)).toBe(true);
    expect(run("false", scope)).toBe(false);
    expect(run("null", scope)).toBeNull();
  });

  it("whitespace between tokens is ignored", () => {
    expect(run("\n\t a . b [ 0 ]  ==  1 ", { a: { b: [1] } })).toBe(true);
  });
});

describe("names and member access", () => {
  const scope = {
    params: { MODE: "full", "odd key": 1, n: 2 },
    steps: { "stage-data": { status: "success", output: { files: ["a.csv", "b.csv"] } } },
    list: [10, 20, 30],
    i: 1,
    key: "MODE",
    "a-1": "hyphenated",
    _x: "underscore",
  };

  it("hyphens belong to names", () => {
    expect(run("steps.stage-data.status == 'success'", scope)).toBe(true);
    expect(run("a-1", scope)).toBe("hyphenated");
    expect(run("_x", scope)).toBe("underscore");
  });

  it("dot, bracket, index and computed access", () => {
    expect(run("params.MODE", scope)).toBe("full");
    expect(run("params['MODE']", scope)).toBe("full");
    expect(run("params[\"odd key\"]", scope)).toBe(1);
    expect(run("params[key]", scope)).toBe("full");
    expect(run("list[0]", scope)).toBe(10);
    expect(run("list[i]", scope)).toBe(20);
    expect(run("list['2']", scope)).toBe(30);
    expect(run("list[params.n]", scope)).toBe(30);
    expect(run("steps.stage-data.output.files[1]", scope)).toBe("b.csv");
    expect(run("steps['stage-data'].output['files'][0]", scope)).toBe("a.csv");
    expect(run("params.true", { params: { true: 1 } })).toBe(1);
  });

  it("brackets take any name, such as a nested step's", () => {
    const steps = { "outer/inner": { output: { path: "/tmp/x" } } };
    expect(run("steps['outer/inner'].output.path", { steps })).toBe("/tmp/x");
  });

  it("missing values are undefined, never an error", () => {
    expect(run("nothing", scope)).toBeUndefined();
    expect(run("nothing.at.all", scope)).toBeUndefined();
    expect(run("params.MISSING.deeper", scope)).toBeUndefined();
    expect(run("list[3]", scope)).toBeUndefined();
    expect(run("list[-1]", scope)).toBeUndefined();
    expect(run("list[0.5]", scope)).toBeUndefined();
    expect(run("list[true]", scope)).toBeUndefined();
    expect(run("params[null]", scope)).toBeUndefined();
    expect(run("params[nothing]", scope)).toBeUndefined();
    expect(run("null.x", scope)).toBeUndefined();
    expect(run("i.x", scope)).toBeUndefined();
    expect(run("'abc'[0]", scope)).toBeUndefined();
  });

  it("length is not a property: use length()", () => {
    expect(run("list.length", scope)).toBeUndefined();
    expect(run("list['length']", scope)).toBeUndefined();
    expect(run("'abc'.length", scope)).toBeUndefined();
    expect(run("length(list)", scope)).toBe(3);
  });

  it("a root name that is also a function name is a scope lookup without parentheses", () => {
    expect(run("length", { length: 7 })).toBe(7);
  });

  it("only own keys of the scope are roots", () => {
    const scope = Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 });
    expect(run("own", scope)).toBe(2);
    expect(run("inherited", scope)).toBeUndefined();
    expect(run("toString", {})).toBeUndefined();
  });

  it("reads own data properties of objects that are not plain, such as process.env", () => {
    const env = Object.assign(Object.create({ inherited: "no" }) as object, { HOME: "/home/me" });
    expect(run("env.HOME", { env })).toBe("/home/me");
    expect(run("env.inherited", { env })).toBeUndefined();
    expect(run("env.PATH", { env: process.env })).toBe(process.env.PATH);
  });
});

describe("ScopeLookup", () => {
  it("member access calls get with the key as a string, lazily", () => {
    const asked: string[] = [];
    const steps = new ScopeLookup((name) => {
      asked.push(name);
      return name === "build" ? { status: "success", output: { n: 3 } } : undefined;
    });
    expect(run("steps.build.output.n", { steps })).toBe(3);
    expect(run("steps['outer/inner'].status", { steps })).toBeUndefined();
    expect(run("steps[0]", { steps })).toBeUndefined();
    expect(asked).toEqual(["build", "outer/inner", "0"]);
    expect(run("true || steps.never", { steps })).toBe(true);
    expect(asked).toHaveLength(3);
  });

  it("lookups nest", () => {
    const root = new ScopeLookup((a) => new ScopeLookup((b) => `${a}.${b}`));
    expect(run("root.x['y z']", { root })).toBe("x.y z");
  });

  it("non-string, non-number keys are not looked up", () => {
    const lookup = new ScopeLookup(() => {
      throw new Error("must not be called");
    });
    expect(run("lookup[null]", { lookup })).toBeUndefined();
    expect(run("lookup[true]", { lookup })).toBeUndefined();
  });
});

describe("operators", () => {
  it("|| and && return an operand, as in JavaScript", () => {
    expect(run("'' || 'x'")).toBe("x");
    expect(run("'a' || 'x'")).toBe("a");
    expect(run("'a' && 0")).toBe(0);
    expect(run("0 && 'x'")).toBe(0);
    expect(run("null || nothing")).toBeUndefined();
    expect(run("a || b || c", { a: 0, b: "", c: "last" })).toBe("last");
    expect(run("a && b && c", { a: 1, b: "x", c: [] })).toEqual([]);
  });

  it("|| and && short-circuit", () => {
    const boom = new ScopeLookup(() => {
      throw new Error("evaluated");
    });
    expect(run("true || boom.x", { boom })).toBe(true);
    expect(run("false && boom.x", { boom })).toBe(false);
    expect(run("true || fromJSON('{')")).toBe(true);
    expect(run("false && fromJSON('{')")).toBe(false);
    expect(() => run("false || boom.x", { boom })).toThrow("evaluated");
    expect(() => run("true && boom.x", { boom })).toThrow("evaluated");
  });

  it("! negates truthiness", () => {
    expect(run("!true")).toBe(false);
    expect(run("!''")).toBe(true);
    expect(run("!0")).toBe(true);
    expect(run("!null")).toBe(true);
    expect(run("!nothing")).toBe(true);
    expect(run("!'x'")).toBe(false);
    expect(run("!!'x'")).toBe(true);
    expect(run("!!!'x'")).toBe(false);
  });

  it("precedence: || < && < == != < ordering < ! < member access", () => {
    expect(run("true || false && false")).toBe(true);
    expect(run("false && true || true")).toBe(true);
    expect(run("(true || false) && false")).toBe(false);
    expect(run("1 == 1 && 2 != 2")).toBe(false);
    expect(run("1 < 2 == true")).toBe(true);
    expect(run("true == 1 < 2")).toBe(true);
    expect(run("!0 == 1")).toBe(false); // (!0) == 1: a boolean is not a number
    expect(run("!(0 == 1)")).toBe(true);
    expect(run("!a.b", { a: { b: false } })).toBe(true);
    expect(run("1 == 1 == true")).toBe(true); // left to right
  });

  it("isTruthy is JavaScript's truthiness", () => {
    for (const value of [undefined, null, false, 0, Number.NaN, ""]) expect(isTruthy(value)).toBe(false);
    for (const value of [true, 1, -1, "0", "false", [], {}]) expect(isTruthy(value)).toBe(true);
  });
});

describe("equality", () => {
  const scope = {
    list: [1, { a: 1, b: [2] }],
    same: [1, { b: [2], a: 1 }],
    other: [1, { a: 1, b: [3] }],
    obj: { x: 1, y: 2 },
    reordered: { y: 2, x: 1 },
    arrayLike: { 0: 1 },
    one: [1],
  };

  it.each([
    ["1 == 1", true],
    ["1 == 2", false],
    ["'a' == 'a'", true],
    ["'a' == 'A'", false],
    ["true == true", true],
    ["true == false", false],
    ["null == null", true],
    ["null == nothing", false],
    ["nothing == nothing", true],
    ["3 == '3'", true],
    ["'3' == 3", true],
    ["3 == '3.0'", true],
    ["-1.5 == '-1.5'", true],
    ["3 == ' 3 '", true],
    ["3 == 'three'", false],
    ["3 == '0x3'", false],
    ["0 == ''", false],
    ["1 == true", false],
    ["'true' == true", false],
    ["0 == null", false],
    ["'' == null", false],
    ["'3' == '3.0'", false],
    ["list == same", true],
    ["list == other", false],
    ["obj == reordered", true],
    ["one == arrayLike", false],
    ["one == 1", false],
    ["fromJSON('[1, {\"b\": [2], \"a\": 1}]') == list", true],
    ["1 != 2", true],
    ["1 != '1'", false],
    ["list != same", false],
    ["null != nothing", true],
  ])("%s is %s", (source, expected) => {
    expect(run(source, scope)).toBe(expected);
  });
});

describe("ordering", () => {
  it.each([
    ["1 < 2", true],
    ["2 < 1", false],
    ["2 <= 2", true],
    ["3 > 2", true],
    ["2 >= 3", false],
    ["-1 < 0", true],
    ["'a' < 'b'", true],
    ["'B' < 'a'", true],
    ["'10' < '9'", true],
    ["'abc' <= 'abc'", true],
    ["10 > '9'", true],
    ["'10' > 9", true],
    ["'1e3' >= 1000", true],
    ["'abc' < 1", false],
    ["1 < 'abc'", false],
    ["null < 1", false],
    ["nothing < 1", false],
    ["false < true", false],
    ["fromJSON('[1]') < fromJSON('[2]')", false],
    ["'' < 1", false],
  ])("%s is %s", (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});

describe("functions", () => {
  const scope = { list: [1, "two", { three: 3 }], text: "hello world", obj: { a: 1 } };

  it("contains: a substring, or an element by ==", () => {
    expect(run("contains(text, 'lo w')", scope)).toBe(true);
    expect(run("contains(text, 'xyz')", scope)).toBe(false);
    expect(run("contains(list, 1)", scope)).toBe(true);
    expect(run("contains(list, '1')", scope)).toBe(true);
    expect(run("contains(list, 'two')", scope)).toBe(true);
    expect(run("contains(list, fromJSON('{\"three\": 3}'))", scope)).toBe(true);
    expect(run("contains(list, 4)", scope)).toBe(false);
    expect(run("contains('a1', 1)", scope)).toBe(false);
    expect(run("contains(obj, 'a')", scope)).toBe(false);
    expect(run("contains(nothing, 'a')", scope)).toBe(false);
  });

  it("startsWith and endsWith work on strings only", () => {
    expect(run("startsWith(text, 'hello')", scope)).toBe(true);
    expect(run("startsWith(text, 'world')", scope)).toBe(false);
    expect(run("endsWith(text, 'world')", scope)).toBe(true);
    expect(run("endsWith(text, 'hello')", scope)).toBe(false);
    expect(run("startsWith(12, 1)", scope)).toBe(false);
    expect(run("endsWith(list, 'x')", scope)).toBe(false);
  });

  it("length of a string or list, else 0", () => {
    expect(run("length(text)", scope)).toBe(11);
    expect(run("length(list)", scope)).toBe(3);
    expect(run("length('')", scope)).toBe(0);
    expect(run("length(obj)", scope)).toBe(0);
    expect(run("length(42)", scope)).toBe(0);
    expect(run("length(nothing)", scope)).toBe(0);
  });

  it("toJSON and fromJSON", () => {
    expect(run("toJSON(obj)", scope)).toBe('{"a":1}');
    expect(run("toJSON('x')", scope)).toBe('"x"');
    expect(run("fromJSON('{\"a\": [1, 2]}').a[1]", scope)).toBe(2);
    expect(run("fromJSON(toJSON(list)) == list", scope)).toBe(true);
  });

  it("fromJSON of bad JSON or of a non-string is an evaluation error", () => {
    expect(thrown(ExpressionEvaluationError, () => run("fromJSON('{oops')")).message).toMatch(/^fromJSON\(\): invalid JSON/);
    expect(thrown(ExpressionEvaluationError, () => run("fromJSON(nothing)")).message).toBe("fromJSON() needs a string, found undefined");
  });

  it("names are case-sensitive; an unknown function is a syntax error naming the known ones", () => {
    for (const source of ["Contains(a, b)", "constructor(a)", "toString()", "a || foo(1)"]) {
      const error = syntaxError(source);
      expect(error.message).toContain(`unknown function '${source.replace(/^a \|\| /, "").split("(")[0]}'`);
      expect(error.message).toContain("contains, startsWith, endsWith, length, toJSON, fromJSON");
      expect(error.index).toBe(source.startsWith("a ||") ? 5 : 0);
    }
  });

  it("a wrong number of arguments is a syntax error", () => {
    expect(syntaxError("contains('a')")).toMatchObject({ message: "contains() takes 2 arguments, found 1", index: 0 });
    expect(syntaxError("x || length()")).toMatchObject({ message: "length() takes 1 argument, found 0", index: 5 });
  });
});

describe("prototype safety", () => {
  it("prototype members of ordinary data are undefined", () => {
    const scope = { obj: { a: 1 }, list: [1], text: "s" };
    for (const source of [
      "obj.constructor",
      "obj['constructor']",
      "obj.__proto__",
      "obj.toString",
      "obj.hasOwnProperty",
      "obj.constructor.prototype",
      "list.map",
      "list.constructor",
      "list.__proto__",
      "text.constructor",
      "constructor",
      "__proto__",
    ]) {
      expect(run(source, scope), source).toBeUndefined();
    }
  });

  it("own keys named __proto__, constructor or prototype are ordinary data", () => {
    const data = JSON.parse('{"__proto__": {"x": 1}, "constructor": "c", "prototype": "p"}') as Json;
    expect(run("data.__proto__.x", { data })).toBe(1);
    expect(run("data['constructor']", { data })).toBe("c");
    expect(run("data.prototype", { data })).toBe("p");
    expect(run("fromJSON('{\"__proto__\": {\"polluted\": true}}').__proto__.polluted")).toBe(true);
  });

  it("getters are never run", () => {
    const data = {
      get secret(): string {
        throw new Error("getter ran");
      },
    };
    expect(run("data.secret", { data })).toBeUndefined();
  });

  it("nothing reaches Object.prototype", () => {
    const before = Object.getOwnPropertyNames(Object.prototype);
    run("fromJSON('{\"__proto__\": {\"polluted\": true}}').__proto__.polluted == true && obj.constructor", { obj: {} });
    resolveTemplate(compileTemplate(JSON.parse('{"__proto__": {"polluted": "${{ 1 }}"}}') as Json), {});
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("syntax errors", () => {
  it.each([
    ["a ==", 4, "expected a value after '==', found end of expression"],
    ["a == ", 5, "expected a value after '==', found end of expression"],
    ["", 0, "expected a value, found end of expression"],
    ["a && (b", 7, "expected ')' after '(b', found end of expression"],
    ["(a == b c)", 8, "expected ')' after '(a == b', found 'c'"],
    ["contains(a, b c)", 14, "expected ',' or ')' after 'contains(a, b', found 'c'"],
    ["a[0", 3, "expected ']' after '[0', found end of expression"],
    ["a b", 2, "expected an operator or end of expression, found 'b'"],
    ["a 'b'", 2, "expected an operator or end of expression, found string 'b'"],
    ["a )", 2, "expected an operator or end of expression, found ')'"],
    ["()", 1, "expected a value after '(', found ')'"],
    ["a.", 2, "expected a property name after '.', found end of expression"],
    ["a.0", 2, "expected a property name after '.', found '0'"],
    ["a == 'abc", 5, "unterminated string: expected a closing ', found end of expression"],
    ['"abc\\"', 0, 'unterminated string: expected a closing ", found end of expression'],
    ["'a\\qb'", 2, "unknown escape '\\q' in string (use \\\\, \\', \\\", \\n or \\t)"],
    ["a = b", 2, "unexpected character '='"],
    ["a - b", 2, "unexpected character '-'"],
    ["a ||| b", 4, "unexpected character '|'"],
    ["a == 😀", 5, "unexpected character '😀'"],
  ])("%j at %i: %s", (source, index, message) => {
    expect(syntaxError(source)).toMatchObject({ index, message });
  });

  it("long tokens are shortened in messages", () => {
    expect(syntaxError(`a ${"b".repeat(50)}`).message).toBe(`expected an operator or end of expression, found '${"b".repeat(29)}…'`);
  });
});

describe("limits", () => {
  it("a source longer than 10,000 characters is a syntax error, however it nests", () => {
    expect(syntaxError("(".repeat(100_000))).toMatchObject({ index: 10_000, message: "expression is 100000 characters long, the limit is 10000" });
    expect(run(`'${"x".repeat(9_998)}'`)).toHaveLength(9_998);
  });

  it("nesting deeper than 100 is a syntax error at the token that goes too deep", () => {
    expect(run(`${"(".repeat(100)}1${")".repeat(100)}`)).toBe(1);
    const tooDeep = { index: 100, message: "expression nested deeper than 100 levels" };
    expect(syntaxError(`${"(".repeat(101)}1${")".repeat(101)}`)).toMatchObject(tooDeep);
    expect(syntaxError("(".repeat(4_000))).toMatchObject(tooDeep);
    expect(syntaxError(`${"!".repeat(5_000)}a`)).toMatchObject(tooDeep);
    expect(syntaxError("a[".repeat(1_000))).toMatchObject({ index: 201 });
    expect(syntaxError("length(".repeat(1_000))).toMatchObject({ index: 100 * 7 + 6 });
  });

  it("long flat chains need no deep recursion", () => {
    const scope = { a: { a: { a: 1 } } };
    expect(run(Array(1_900).fill("0").join(" || ") + " || 'end'", scope)).toBe("end");
    expect(run(Array(1_900).fill("1").join(" == "), scope)).toBe(false); // (1 == 1) == 1 ...: a boolean is not 1
    const deepData: Json = JSON.parse(`${'{"a":'.repeat(3_000)}1${"}".repeat(3_000)}`) as Json;
    expect(run(`d${".a".repeat(3_000)}`, { d: deepData })).toBe(1);
  });

  it("parsing is linear", () => {
    const source = Array(1_000).fill("steps.a-b.output['x'] == 'y'").join(" && ").slice(0, 10_000);
    const started = performance.now();
    for (let i = 0; i < 20; i++) thrown(ExpressionSyntaxError, () => parseExpression(`${source} )`));
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("parseCondition", () => {
  it("takes a bare expression or one inside ${{ }}", () => {
    const scope = { params: { MODE: "full" } };
    for (const text of ["params.MODE == 'full'", "${{ params.MODE == 'full' }}", "  ${{params.MODE == 'full'}}\n"]) {
      expect(evaluateExpression(parseCondition(text), scope), text).toBe(true);
    }
    expect(evaluateExpression(parseCondition("${{ '}}' }}"), {})).toBe("}}");
  });

  it("error indexes are offsets in the text given", () => {
    const cases: [string, string][] = [
      ["${{ a == }}", "}"],
      ["  ${{ a b }}", "b"],
      ["a b", "b"],
      ["${{ foo(1) }}", "f"],
      ["\t${{ x == 'y }}", "'"],
    ];
    for (const [text, at] of cases) {
      const error = thrown(ExpressionSyntaxError, () => parseCondition(text));
      expect(text[error.index], text).toBe(at);
    }
    expect(thrown(ExpressionSyntaxError, () => parseCondition("${{ a == }}")).index).toBe(9);
  });

  it("an unclosed ${{ or an empty one is a syntax error", () => {
    expect(thrown(ExpressionSyntaxError, () => parseCondition("${{ a == 1 "))).toMatchObject({
      index: 10,
      message: "expected '}}' to close '${{', found end of condition",
    });
    expect(thrown(ExpressionSyntaxError, () => parseCondition("${{}"))).toMatchObject({ index: 4 });
    expect(thrown(ExpressionSyntaxError, () => parseCondition("${{}}"))).toMatchObject({ index: 3, message: "expected a value, found end of expression" });
  });
});

describe("referencedSteps", () => {
  const refs = (source: string) => referencedSteps(parseExpression(source));

  it("lists steps.NAME and steps['NAME'] once each, in order", () => {
    expect(refs("steps.a.status == 'success' && steps['outer/inner'].output.x || contains(steps.c-d.output, steps.a.x)")).toEqual([
      "a",
      "outer/inner",
      "c-d",
    ]);
    expect(refs("!steps.e.output")).toEqual(["e"]);
    expect(refs("x[steps.g.output.key]")).toEqual(["g"]);
    expect(refs("(steps).h")).toEqual(["h"]);
  });

  it("ignores what it cannot know statically", () => {
    expect(refs("steps[params.name].status")).toEqual([]);
    expect(refs("params.steps.x")).toEqual([]);
    expect(refs("toJSON(steps)")).toEqual([]);
    expect(refs("'steps.a'")).toEqual([]);
  });
});

describe("templates", () => {
  const scope = {
    n: 3,
    s: "text",
    list: [1, 2],
    obj: { k: "v" },
    nil: null,
    steps: new ScopeLookup((name) => (name === "stage-data" ? { status: "success", output: { manifestPath: "/m.json" } } : undefined)),
  };
  const resolve = (value: Json) => resolveTemplate(compileTemplate(value), scope);

  it("without expressions, returns the very same value", () => {
    const nested = { files: ["a", { b: [1, true, null] }], text: "no ${ expression } here", "${{ key }}": 1 };
    const template = compileTemplate(nested);
    expect(template.hasExpressions).toBe(false);
    expect(resolveTemplate(template, {})).toBe(nested);
    for (const scalar of [5, "plain", null, false, ""]) expect(resolveTemplate(compileTemplate(scalar), {})).toBe(scalar);
  });

  it("keeps the parts without expressions as the same instances", () => {
    const untouched = { deep: ["x"] };
    const result = resolve({ a: "${{ n }}", untouched }) as { untouched: unknown };
    expect(result.untouched).toBe(untouched);
  });

  it("a string that is one whole expression takes its value with its type", () => {
    expect(resolve("${{ n }}")).toBe(3);
    expect(resolve("${{ list }}")).toEqual([1, 2]);
    expect(resolve("${{ obj }}")).toEqual({ k: "v" });
    expect(resolve("${{ nil }}")).toBeNull();
    expect(resolve("${{ n > 2 }}")).toBe(true);
    expect(resolve("${{ steps.stage-data.output.manifestPath }}")).toBe("/m.json");
  });

  it("otherwise values are written into the text, non-strings as JSON", () => {
    expect(resolve("n=${{ n }} s=${{ s }} list=${{ list }} obj=${{ obj }} nil=${{ nil }}")).toBe(
      'n=3 s=text list=[1,2] obj={"k":"v"} nil=null',
    );
    expect(resolve("${{ n }}${{ n }}")).toBe("33");
    expect(resolve(" ${{ n }}")).toBe(" 3");
  });

  it("resolves inside nested JSON", () => {
    expect(resolve({ files: ["${{ s }}", "plain", { deep: "x-${{ n }}" }], count: "${{ n }}", flag: true })).toEqual({
      files: ["text", "plain", { deep: "x-3" }],
      count: 3,
      flag: true,
    });
  });

  it("'}}' inside a quoted string does not end the expression", () => {
    expect(resolve("${{ 'a}}b' }}")).toBe("a}}b");
    expect(resolve('<${{ "say \\"}}\\"" }}>')).toBe('<say "}}">');
    expect(resolve("${{ 'it''s }}' }}")).toBe("it's }}");
    expect(resolve("${{ contains(s, '}}') }}")).toBe(false);
  });

  it("leaves escaping to the YAML loader: $${{ is a '$' before an expression", () => {
    expect(resolve("$${{ n }}")).toBe("$3");
  });

  it("an unclosed ${{ is a syntax error with the path and index", () => {
    const error = thrown(TemplateSyntaxError, () => compileTemplate({ files: ["ok", "a ${{ b"] }));
    expect(error).toMatchObject({ path: ["files", 1], index: 2, message: "files[1]: unclosed '${{': expected '}}' after it" });
    expect(thrown(TemplateSyntaxError, () => compileTemplate("${{ 'abc }}"))).toMatchObject({ path: [], index: 0 });
  });

  it("a bad expression is a syntax error at its index in the string", () => {
    const text = "run ${{ n }} ${{ a b }}";
    const error = thrown(TemplateSyntaxError, () => compileTemplate({ cmd: { "odd key": text } }));
    expect(error.path).toEqual(["cmd", "odd key"]);
    expect(text[error.index]).toBe("b");
    expect(error.message).toBe(`cmd["odd key"]: expected an operator or end of expression, found 'b'`);
    expect(error.cause).toBeInstanceOf(ExpressionSyntaxError);
    expect(thrown(TemplateSyntaxError, () => compileTemplate(["${{ foo() }}"])).message).toMatch(/^\[0\]: unknown function 'foo'/);
  });

  it("an undefined value is an evaluation error naming the path and the expression", () => {
    const template = compileTemplate({ kwargs: { manifest: "${{ steps.stage.output.manifestPath }}" } });
    expect(thrown(TemplateEvaluationError, () => resolveTemplate(template, scope))).toMatchObject({
      path: ["kwargs", "manifest"],
      message: "kwargs.manifest: ${{ steps.stage.output.manifestPath }} is undefined",
    });
    expect(thrown(TemplateEvaluationError, () => resolve(["x-${{ missing }}"]))).toMatchObject({
      path: [0],
      message: "[0]: ${{ missing }} is undefined",
    });
  });

  it("a lookup object or a fromJSON failure is an evaluation error", () => {
    expect(thrown(TemplateEvaluationError, () => resolve({ all: "${{ steps }}" })).message).toBe("all: ${{ steps }} is not a value");
    const error = thrown(TemplateEvaluationError, () => resolve({ v: "${{ fromJSON('{') }}" }));
    expect(error.message).toMatch(/^v: \$\{\{ fromJSON\('\{'\) \}\}: fromJSON\(\): invalid JSON/);
    expect(error.cause).toBeInstanceOf(ExpressionEvaluationError);
  });

  it("object keys are never templated, and a __proto__ key stays data", () => {
    const value = JSON.parse('{"__proto__": "${{ n }}", "${{ s }}": "${{ s }}"}') as Json;
    const result = resolveTemplate(compileTemplate(value), scope) as Record<string, Json>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(result, "__proto__")?.value).toBe(3);
    expect(result["${{ s }}"]).toBe("text");
  });

  it("templateStepReferences lists the steps of every expression once", () => {
    const template = compileTemplate({
      a: "${{ steps.one.output }}",
      b: ["x ${{ steps['two/inner'].status }} ${{ steps.one.status }}"],
      c: "${{ params.steps }}",
    });
    expect(templateStepReferences(template)).toEqual(["one", "two/inner"]);
    expect(templateStepReferences(compileTemplate({ a: "plain" }))).toEqual([]);
  });
});
