/**
 * A small, safe expression language for YAML `if:` conditions and `${{ ... }}` templates in args,
 * e.g. `steps.stage-data.status == 'success' && length(steps.list.output.files) > 0`.
 *
 * Syntax
 * - Literals: `'single'` and `"double"` quoted strings (escapes `\\ \' \" \n \t`; in single quotes
 *   `''` is also a quote), numbers (`12`, `-3`, `1.5`, `2e3`), `true`, `false`, `null`.
 * - Names: `[A-Za-z_][A-Za-z0-9_-]*`. Hyphens belong to the name (`stage-data`): there is no
 *   arithmetic. A `-` directly followed by a digit starts a negative number.
 * - Member access: `a.b`, `a['b']`, `a[0]`, `a[expr]`. A root name is looked up in the scope.
 * - Operators, lowest precedence first: `||`; `&&`; `==` `!=`; `<` `<=` `>` `>=`; unary `!`;
 *   member access and calls. Parentheses group.
 * - Functions: `contains(haystack, needle)`, `startsWith(s, prefix)`, `endsWith(s, suffix)`,
 *   `length(x)`, `toJSON(x)`, `fromJSON(text)`.
 *
 * Semantics
 * - `&&` and `||` short-circuit and return an operand, as in JavaScript; truthiness is JavaScript's.
 * - `==`: equal values of the same type (arrays and objects by canonical JSON); a number equals a
 *   numeric string with the same value (`3 == '3.0'`); anything else is unequal. `!=` is the negation.
 * - `<` `<=` `>` `>=`: two numbers, two strings (code-unit order), or a number and a numeric string
 *   (numerically); anything else is false.
 * - A missing property, or any access on something that is not an object or array, is `undefined`.
 *
 * Safety: no `eval`. Member access reads only own data properties of objects and indexes of arrays (no
 * prototype, no getter, no method of the data is ever run), and a `ScopeLookup` only through its `get`.
 * Source length and nesting depth are bounded, so parsing and evaluation cannot overflow the stack.
 */
import { PipewrightError } from "../errors.js";

const MAX_SOURCE_LENGTH = 10_000;
const MAX_DEPTH = 100;

/** Source text that is not a valid expression. */
export class ExpressionSyntaxError extends PipewrightError {
  override name = "ExpressionSyntaxError";
  /** Offset of the problem in the text that was parsed. */
  readonly index: number;
  constructor(message: string, index: number, options?: ErrorOptions) {
    super(message, options);
    this.index = index;
  }
}

/** An expression that cannot be evaluated: `fromJSON` of bad JSON, a value that cannot be written as JSON. */
export class ExpressionEvaluationError extends PipewrightError {
  override name = "ExpressionEvaluationError";
}

type BinaryOperator = "||" | "&&" | "==" | "!=" | "<" | "<=" | ">" | ">=";

type AstNode =
  | { readonly type: "literal"; readonly value: unknown }
  | { readonly type: "root"; readonly name: string }
  /** `object.a[b]...`: a chain is kept flat so that evaluating a long one does not recurse. */
  | { readonly type: "member"; readonly object: AstNode; readonly keys: readonly AstNode[] }
  | { readonly type: "call"; readonly fn: ExpressionFunction; readonly args: readonly AstNode[] }
  | { readonly type: "not"; readonly operand: AstNode }
  /** Operators of one precedence level, applied left to right (flat for the same reason). */
  | { readonly type: "binary"; readonly first: AstNode; readonly rest: readonly (readonly [BinaryOperator, AstNode])[] };

export interface Expression {
  readonly source: string;
  /** The syntax tree, opaque outside this module. */
  readonly root: AstNode;
}

/** Scope values that are looked up lazily: member access on a ScopeLookup calls get(key). */
export class ScopeLookup {
  readonly #get: (key: string) => unknown;
  constructor(get: (key: string) => unknown) {
    this.#get = get;
  }
  get(key: string): unknown {
    return this.#get(key);
  }
}

/** Roots of expressions (params, env, steps, item, ...); an unknown root evaluates to undefined. */
export type ExpressionScope = Readonly<Record<string, unknown>>;

interface ExpressionFunction {
  readonly arity: number;
  readonly call: (args: readonly unknown[]) => unknown;
}

// A Map, not an object: `constructor(x)` must not find Object's constructor.
const FUNCTIONS = new Map<string, ExpressionFunction>([
  ["contains", { arity: 2, call: ([haystack, needle]) => contains(haystack, needle) }],
  ["startsWith", { arity: 2, call: ([s, prefix]) => typeof s === "string" && typeof prefix === "string" && s.startsWith(prefix) }],
  ["endsWith", { arity: 2, call: ([s, suffix]) => typeof s === "string" && typeof suffix === "string" && s.endsWith(suffix) }],
  ["length", { arity: 1, call: ([x]) => (typeof x === "string" || Array.isArray(x) ? x.length : 0) }],
  ["toJSON", { arity: 1, call: ([x]) => jsonText(x, "toJSON()") }],
  ["fromJSON", { arity: 1, call: ([text]) => fromJson(text) }],
]);

// Binary operators by precedence level, lowest first.
const LEVELS: readonly (readonly BinaryOperator[])[] = [["||"], ["&&"], ["==", "!="], ["<", "<=", ">", ">="]];
// Longest first, so that `<=` is not read as `<`.
const OPERATORS = ["||", "&&", "==", "!=", "<=", ">=", "<", ">", "!", ".", "[", "]", "(", ")", ","];
const ESCAPES = new Map([["\\", "\\"], ["'", "'"], ['"', '"'], ["n", "\n"], ["t", "\t"]]);
const WHITESPACE = /\s*/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_-]*/y;
// A number first: `-` followed by a digit is a negative number, not part of a name.
const PATTERNS = [["number", NUMBER], ["name", NAME]] as const;

interface Token {
  readonly kind: "name" | "number" | "string" | "operator" | "end";
  /** The token as written. */
  readonly text: string;
  readonly value: unknown;
  readonly index: number;
  readonly end: number;
}

class Parser {
  private pos = 0;
  private depth = 0;
  private token: Token;
  private previous: Token | undefined;

  constructor(private readonly source: string) {
    this.token = this.lex();
  }

  parse(): AstNode {
    const root = this.parseLevel(0);
    if (this.token.kind !== "end") throw this.error(`expected an operator or end of expression, found ${describe(this.token)}`);
    return root;
  }

  private parseLevel(level: number): AstNode {
    const operators = LEVELS[level];
    if (operators === undefined) return this.parseUnary();
    const first = this.parseLevel(level + 1);
    const rest: [BinaryOperator, AstNode][] = [];
    for (;;) {
      const op = operators.find((o) => this.at(o));
      if (op === undefined) return rest.length === 0 ? first : { type: "binary", first, rest };
      this.advance();
      rest.push([op, this.parseLevel(level + 1)]);
    }
  }

  private parseUnary(): AstNode {
    if (!this.at("!")) return this.parsePostfix();
    this.enter();
    this.advance();
    const operand = this.parseUnary();
    this.depth--;
    return { type: "not", operand };
  }

  private parsePostfix(): AstNode {
    const object = this.parsePrimary();
    const keys: AstNode[] = [];
    for (;;) {
      if (this.at(".")) {
        this.advance();
        if (this.token.kind !== "name") throw this.error(`expected a property name after '.', found ${describe(this.token)}`);
        keys.push({ type: "literal", value: this.token.text });
        this.advance();
      } else if (this.at("[")) {
        keys.push(this.parseEnclosed(this.token.index, "]", "']'", () => this.parseLevel(0)));
      } else {
        return keys.length === 0 ? object : { type: "member", object, keys };
      }
    }
  }

  private parsePrimary(): AstNode {
    const token = this.token;
    if (token.kind === "number" || token.kind === "string") {
      this.advance();
      return { type: "literal", value: token.value };
    }
    if (token.kind === "name") {
      this.advance();
      if (this.at("(")) return this.parseCall(token);
      if (token.text === "true" || token.text === "false") return { type: "literal", value: token.text === "true" };
      if (token.text === "null") return { type: "literal", value: null };
      return { type: "root", name: token.text };
    }
    if (this.at("(")) return this.parseEnclosed(token.index, ")", "')'", () => this.parseLevel(0));
    const after = this.previous ? ` after ${quote(this.previous.text)}` : "";
    throw this.error(`expected a value${after}, found ${describe(token)}`);
  }

  private parseCall(name: Token): AstNode {
    const fn = FUNCTIONS.get(name.text);
    if (fn === undefined) {
      const known = [...FUNCTIONS.keys()].join(", ");
      throw new ExpressionSyntaxError(`unknown function '${name.text}' (the functions are ${known})`, name.index);
    }
    const args = this.parseEnclosed(name.index, ")", "',' or ')'", () => {
      const list: AstNode[] = [];
      if (!this.at(")")) do list.push(this.parseLevel(0)); while (this.accept(","));
      return list;
    });
    if (args.length !== fn.arity) {
      const expected = `${fn.arity} argument${fn.arity === 1 ? "" : "s"}`;
      throw new ExpressionSyntaxError(`${name.text}() takes ${expected}, found ${args.length}`, name.index);
    }
    return { type: "call", fn, args };
  }

  /**
   * Parses from the current opening token (`(` or `[`) to its `close`, counting the depth.
   * `start`: where what is being closed starts, to quote it when `close` is missing.
   */
  private parseEnclosed<T>(start: number, close: string, expected: string, inner: () => T): T {
    this.enter();
    this.advance();
    const result = inner();
    if (!this.at(close)) {
      const written = this.source.slice(start, this.previous?.end);
      throw this.error(`expected ${expected} after ${quote(written)}, found ${describe(this.token)}`);
    }
    this.advance();
    this.depth--;
    return result;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw this.error(`expression nested deeper than ${MAX_DEPTH} levels`);
  }

  private at(operator: string): boolean {
    return this.token.kind === "operator" && this.token.text === operator;
  }

  private accept(operator: string): boolean {
    if (!this.at(operator)) return false;
    this.advance();
    return true;
  }

  private advance(): void {
    this.previous = this.token;
    this.token = this.lex();
  }

  private error(message: string): ExpressionSyntaxError {
    return new ExpressionSyntaxError(message, this.token.index);
  }

  private lex(): Token {
    const s = this.source;
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(s);
    const index = WHITESPACE.lastIndex;
    const char = s.charAt(index);
    if (char === "") return this.make("end", index, index, undefined);
    if (char === "'" || char === '"') return this.lexString(index, char);
    for (const [kind, pattern] of PATTERNS) {
      pattern.lastIndex = index;
      const match = pattern.exec(s);
      if (!match) continue;
      const value = kind === "number" ? Number(match[0]) : match[0];
      // `1e400` is Infinity: not a JSON value (it would reach args and checkpoints as null).
      if (value === Infinity || value === -Infinity) throw new ExpressionSyntaxError(`number ${quote(match[0])} is out of range`, index);
      return this.make(kind, index, pattern.lastIndex, value);
    }
    const operator = OPERATORS.find((op) => s.startsWith(op, index));
    if (operator) return this.make("operator", index, index + operator.length, operator);
    throw new ExpressionSyntaxError(`unexpected character ${quote(String.fromCodePoint(s.codePointAt(index) ?? 0))}`, index);
  }

  private lexString(start: number, quoteChar: string): Token {
    const s = this.source;
    let value = "";
    let from = start + 1;
    for (let i = from; i < s.length; i++) {
      const char = s[i];
      if (char === quoteChar && quoteChar === "'" && s[i + 1] === "'") {
        value += s.slice(from, i + 1);
        i++; // the second quote
        from = i + 1;
      } else if (char === quoteChar) {
        return this.make("string", start, i + 1, value + s.slice(from, i));
      } else if (char === "\\" && i + 1 < s.length) {
        const escaped = ESCAPES.get(s.charAt(i + 1));
        if (escaped === undefined) {
          throw new ExpressionSyntaxError(`unknown escape ${quote(s.slice(i, i + 2))} in string (use \\\\, \\', \\", \\n or \\t)`, i);
        }
        value += s.slice(from, i) + escaped;
        i++; // the escaped character
        from = i + 1;
      }
    }
    throw new ExpressionSyntaxError(`unterminated string: expected a closing ${quoteChar}, found end of expression`, start);
  }

  private make(kind: Token["kind"], index: number, end: number, value: unknown): Token {
    this.pos = end;
    return { kind, text: this.source.slice(index, end), value, index, end };
  }
}

function describe(token: Token): string {
  if (token.kind === "end") return "end of expression";
  return token.kind === "string" ? `string ${token.text}` : quote(token.text);
}

function quote(text: string): string {
  return `'${text.length > 30 ? `${text.slice(0, 29)}…` : text}'`;
}

/** Parses an expression; throws ExpressionSyntaxError with the offset of the problem in `source`. */
export function parseExpression(source: string): Expression {
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new ExpressionSyntaxError(`expression is ${source.length} characters long, the limit is ${MAX_SOURCE_LENGTH}`, MAX_SOURCE_LENGTH);
  }
  return { source, root: new Parser(source).parse() };
}

/** A YAML `if:` value: either `${{ expr }}` (surrounding whitespace allowed) or a bare expression. Error indexes are offsets in `text`. */
export function parseCondition(text: string): Expression {
  const start = text.length - text.trimStart().length;
  const trimmed = text.trim();
  if (!trimmed.startsWith("${{")) return parseExpression(text);
  if (trimmed.length < 5 || !trimmed.endsWith("}}")) {
    throw new ExpressionSyntaxError("expected '}}' to close '${{', found end of condition", start + trimmed.length);
  }
  const offset = start + 3;
  try {
    return parseExpression(text.slice(offset, start + trimmed.length - 2));
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    throw new ExpressionSyntaxError(error.message, offset + error.index, { cause: error });
  }
}

/** The value of the expression; undefined for missing values. Throws ExpressionEvaluationError for fromJSON failures and values JSON cannot write. */
export function evaluateExpression(expression: Expression, scope: ExpressionScope): unknown {
  return evaluate(expression.root, scope);
}

function evaluate(node: AstNode, scope: ExpressionScope): unknown {
  switch (node.type) {
    case "literal":
      return node.value;
    case "root":
      return ownValue(scope, node.name);
    case "member": {
      let value = evaluate(node.object, scope);
      for (const key of node.keys) value = member(value, evaluate(key, scope));
      return value;
    }
    case "call":
      return node.fn.call(node.args.map((arg) => evaluate(arg, scope)));
    case "not":
      return !isTruthy(evaluate(node.operand, scope));
    case "binary": {
      let left = evaluate(node.first, scope);
      for (const [op, right] of node.rest) {
        if (op === "||") left = isTruthy(left) ? left : evaluate(right, scope);
        else if (op === "&&") left = isTruthy(left) ? evaluate(right, scope) : left;
        else left = compare(op, left, evaluate(right, scope));
      }
      return left;
    }
  }
}

export function isTruthy(value: unknown): boolean {
  return Boolean(value);
}

function member(value: unknown, key: unknown): unknown {
  if (typeof key !== "string" && typeof key !== "number") return undefined;
  const name = String(key);
  if (value instanceof ScopeLookup) return value.get(name);
  // `length` is not an element: arrays answer only to indexes.
  if (Array.isArray(value)) return /^(?:0|[1-9]\d*)$/.test(name) ? ownValue(value, name) : undefined;
  // Any object, not only plain ones: `env` is `process.env`. Own data properties are safe to read on all.
  return typeof value === "object" && value !== null ? ownValue(value, name) : undefined;
}

/** An own data property: neither the prototype nor a getter is ever consulted. */
function ownValue(object: object, key: string): unknown {
  return Object.getOwnPropertyDescriptor(object, key)?.value;
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function compare(op: Exclude<BinaryOperator, "||" | "&&">, left: unknown, right: unknown): boolean {
  if (op === "==") return equals(left, right);
  if (op === "!=") return !equals(left, right);
  if (typeof left === "string" && typeof right === "string") return order(op, left, right);
  const [x, y] = [toNumber(left), toNumber(right)];
  return x !== undefined && y !== undefined && order(op, x, y);
}

function order<T extends string | number>(op: "<" | "<=" | ">" | ">=", x: T, y: T): boolean {
  return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
}

function equals(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left === "number" && typeof right === "string") return left === toNumber(right);
  if (typeof left === "string" && typeof right === "number") return toNumber(left) === right;
  const bothArrays = Array.isArray(left) && Array.isArray(right);
  const bothObjects = isPlainObject(left) && isPlainObject(right);
  return (bothArrays || bothObjects) && canonicalJson(left) === canonicalJson(right);
}

/** A number, or a string that reads as a decimal number (surrounding whitespace ignored). */
function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  // `\d+(?:\.\d*)?`, not `\d+\.?\d*`: the latter splits a run of digits in n ways, and a long digit
  // string that is not a number ("1111…1x", from a step's output) took seconds (44 s for 50,000 digits).
  if (typeof value !== "string" || !/^\s*-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(value)) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** JSON with the keys of every object sorted, so that key order does not matter. */
function canonicalJson(value: unknown): string | undefined {
  const sorted = (_key: string, item: unknown) =>
    isPlainObject(item) ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : item;
  return jsonText(value, "==", sorted);
}

/**
 * JSON.stringify, failing with an ExpressionEvaluationError: a value nested a few thousand levels deep
 * (`fromJSON('[[[…]]]')`, a step's output) overflowed the stack with a RangeError, and a BigInt or a
 * cycle in a scope value threw a TypeError.
 */
export function jsonText(value: unknown, what: string, replacer?: (key: string, item: unknown) => unknown): string | undefined {
  try {
    return JSON.stringify(value, replacer);
  } catch (error) {
    const reason = error instanceof RangeError ? "the value is nested too deeply" : (error as Error).message;
    throw new ExpressionEvaluationError(`${what}: cannot write the value as JSON: ${reason}`, { cause: error });
  }
}

function contains(haystack: unknown, needle: unknown): boolean {
  if (typeof haystack === "string") return typeof needle === "string" && haystack.includes(needle);
  if (!Array.isArray(haystack)) return false;
  for (let i = 0; i < haystack.length; i++) if (equals(ownValue(haystack, String(i)), needle)) return true;
  return false;
}

function fromJson(text: unknown): unknown {
  if (typeof text !== "string") throw new ExpressionEvaluationError(`fromJSON() needs a string, found ${text === null ? "null" : typeof text}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ExpressionEvaluationError(`fromJSON(): invalid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Step names an expression reads statically: `steps.NAME...` and `steps['NAME']...` (for validation of unknown/non-upstream steps). */
export function referencedSteps(expression: Expression): string[] {
  const names = new Set<string>();
  const visit = (node: AstNode): void => {
    if (node.type === "member" && node.object.type === "root" && node.object.name === "steps") {
      const first = node.keys[0];
      if (first?.type === "literal" && typeof first.value === "string") names.add(first.value);
    }
    children(node).forEach(visit);
  };
  visit(expression.root);
  return [...names];
}

function children(node: AstNode): readonly AstNode[] {
  switch (node.type) {
    case "member":
      return [node.object, ...node.keys];
    case "call":
      return node.args;
    case "not":
      return [node.operand];
    case "binary":
      return [node.first, ...node.rest.map(([, right]) => right)];
    default:
      return [];
  }
}
