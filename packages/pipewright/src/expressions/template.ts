/**
 * `${{ expression }}` templates in JSON values (step args, map items), compiled once when the step is
 * defined and resolved when it starts.
 *
 * - In every string value (object keys are never templated), `${{` starts an expression that ends
 *   at the first `}}` outside a quoted string literal. An unclosed `${{` is a syntax error.
 *   (Escaping is the YAML loader's business: its `$${` gives a literal `${`.)
 * - A string that is exactly one `${{ expr }}` takes the expression's value as it is (a number, a
 *   list, ...); otherwise each value is written into the text: strings as they are, other values as JSON.
 * - An expression that evaluates to undefined is an error naming where it is, not an "undefined" in the args.
 */
import { PipewrightError } from "../errors.js";
import type { Json } from "../types.js";
import {
  ExpressionEvaluationError,
  ExpressionSyntaxError,
  ScopeLookup,
  evaluateExpression,
  jsonText,
  parseExpression,
  referencedSteps,
  type Expression,
  type ExpressionScope,
} from "./expression.js";

type JsonPath = (string | number)[];

/** A template string that does not parse; `index` is the offset in the string at `path`. */
export class TemplateSyntaxError extends PipewrightError {
  override name = "TemplateSyntaxError";
  readonly path: JsonPath;
  readonly index: number;
  constructor(message: string, path: JsonPath, index: number, options?: ErrorOptions) {
    super(message, options);
    this.path = path;
    this.index = index;
  }
}

/** An expression of the template at `path` that has no usable value. */
export class TemplateEvaluationError extends PipewrightError {
  override name = "TemplateEvaluationError";
  readonly path: JsonPath;
  constructor(message: string, path: JsonPath, options?: ErrorOptions) {
    super(message, options);
    this.path = path;
  }
}

interface Placeholder {
  readonly expression: Expression;
  /** The `${{ ... }}` as written, for messages. */
  readonly text: string;
}

type TemplateNode =
  /** No expression anywhere inside: resolves to this very value. */
  | { readonly kind: "constant"; readonly value: Json }
  /** A string that is exactly one `${{ expr }}`. */
  | { readonly kind: "value"; readonly placeholder: Placeholder; readonly path: JsonPath }
  | { readonly kind: "text"; readonly parts: readonly (string | Placeholder)[]; readonly path: JsonPath }
  | { readonly kind: "array"; readonly items: readonly TemplateNode[] }
  | { readonly kind: "object"; readonly entries: readonly (readonly [string, TemplateNode])[] };

/** A JSON value whose strings may contain `${{ expr }}` parts, compiled once (at step definition time). */
export interface CompiledTemplate {
  readonly hasExpressions: boolean;
  /** Opaque outside this module. */
  readonly root: TemplateNode;
  readonly expressions: readonly Expression[];
}

/** Throws TemplateSyntaxError for the first bad expression. */
export function compileTemplate(value: Json): CompiledTemplate {
  const expressions: Expression[] = [];
  const root = compile(value, [], expressions);
  return { hasExpressions: root.kind !== "constant", root, expressions };
}

function compile(value: Json, path: JsonPath, expressions: Expression[]): TemplateNode {
  if (typeof value === "string") {
    const parts = scan(value, path);
    const placeholders = parts.filter((part) => typeof part !== "string");
    expressions.push(...placeholders.map((placeholder) => placeholder.expression));
    const [only] = parts;
    if (placeholders.length === 0) return { kind: "constant", value };
    if (parts.length === 1 && typeof only === "object") return { kind: "value", placeholder: only, path };
    return { kind: "text", parts, path };
  }
  if (Array.isArray(value)) {
    const items = value.map((item, index) => compile(item, [...path, index], expressions));
    return items.every((item) => item.kind === "constant") ? { kind: "constant", value } : { kind: "array", items };
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([key, item]) => [key, compile(item, [...path, key], expressions)] as const);
    return entries.every(([, item]) => item.kind === "constant") ? { kind: "constant", value } : { kind: "object", entries };
  }
  return { kind: "constant", value };
}

/** Splits a string into text and `${{ }}` placeholders. */
function scan(text: string, path: JsonPath): (string | Placeholder)[] {
  const parts: (string | Placeholder)[] = [];
  let from = 0;
  for (let open = text.indexOf("${{"); open >= 0; open = text.indexOf("${{", from)) {
    if (open > from) parts.push(text.slice(from, open));
    const close = closingBraces(text, open + 3);
    if (close < 0) throw new TemplateSyntaxError(`${where(path)}unclosed '\${{': expected '}}' after it`, path, open);
    parts.push({ expression: parsePart(text.slice(open + 3, close), path, open + 3), text: text.slice(open, close + 2) });
    from = close + 2;
  }
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

/** The index of the `}}` that ends an expression starting at `from`, skipping quoted strings; -1 if none. */
function closingBraces(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char === "}" && text[i + 1] === "}") return i;
    if (char === "'" || char === '"') {
      for (i++; i < text.length && text[i] !== char; i++) if (text[i] === "\\") i++;
    }
  }
  return -1;
}

function parsePart(source: string, path: JsonPath, offset: number): Expression {
  try {
    return parseExpression(source);
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    throw new TemplateSyntaxError(`${where(path)}${error.message}`, path, offset + error.index, { cause: error });
  }
}

/** Resolves every `${{ }}`; throws TemplateEvaluationError when an expression has no value. */
export function resolveTemplate(template: CompiledTemplate, scope: ExpressionScope): Json {
  return resolve(template.root, scope);
}

function resolve(node: TemplateNode, scope: ExpressionScope): Json {
  switch (node.kind) {
    case "constant":
      return node.value;
    case "value":
      return valueOf(node.placeholder, node.path, scope);
    case "text":
      return node.parts
        .map((part) => {
          if (typeof part === "string") return part;
          const value = valueOf(part, node.path, scope);
          if (typeof value === "string") return value;
          try {
            return jsonText(value, part.text);
          } catch (error) {
            throw new TemplateEvaluationError(`${where(node.path)}${(error as Error).message}`, node.path, { cause: error });
          }
        })
        .join("");
    case "array":
      return node.items.map((item) => resolve(item, scope));
    case "object":
      // fromEntries defines own properties: a `__proto__` key stays data.
      return Object.fromEntries(node.entries.map(([key, item]) => [key, resolve(item, scope)]));
  }
}

function valueOf(placeholder: Placeholder, path: JsonPath, scope: ExpressionScope): Json {
  let value: unknown;
  try {
    value = evaluateExpression(placeholder.expression, scope);
  } catch (error) {
    if (!(error instanceof ExpressionEvaluationError)) throw error;
    throw new TemplateEvaluationError(`${where(path)}${placeholder.text}: ${error.message}`, path, { cause: error });
  }
  if (value === undefined) throw new TemplateEvaluationError(`${where(path)}${placeholder.text} is undefined`, path);
  if (value instanceof ScopeLookup) throw new TemplateEvaluationError(`${where(path)}${placeholder.text} is not a value`, path);
  return value as Json;
}

/** Step names referenced by all expressions of the template. */
export function templateStepReferences(template: CompiledTemplate): string[] {
  return [...new Set(template.expressions.flatMap(referencedSteps))];
}

/** `files[0].name: ` for the path ["files", 0, "name"]; nothing for the root. */
function where(path: JsonPath): string {
  if (path.length === 0) return "";
  const text = path
    .map((key, i) => {
      if (typeof key === "number") return `[${key}]`;
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join("");
  return `${text}: `;
}
