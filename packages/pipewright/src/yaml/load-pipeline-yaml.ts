import { readFile } from "node:fs/promises";
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Pair,
  type YAMLError,
  type YAMLMap,
} from "yaml";
import { z } from "zod";
import { errorMessage, ValidationError, type SourceLocation, type ValidationIssue } from "../errors.js";
import type { PipelineSpec, StepSpec } from "../pipeline-spec.js";
import { STEP_OPTION_DEFAULTS } from "../step-options.js";
import type { Json } from "../types.js";
import { closestMatch } from "./closest-match.js";
import { interpolateDocument, variableLookup } from "./interpolate.js";
import { expectations, pipelineSchema, STEP_OPTION_KEYS, type PipelineDocument } from "./pipeline-schema.js";

export interface LoadOptions {
  /** Values of `${NAME}` placeholders (`--param NAME=value`); they win over the environment. */
  params?: Record<string, string>;
  /** Where `${NAME}` is looked up after `params`. @default process.env */
  env?: Record<string, string | undefined>;
  /** When given, every `command` (and rollback command) must be one of these. */
  knownCommands?: readonly string[];
}

/** Aliases in a file, and expansions of one anchor: enough for real files, far too few for a "billion laughs". */
export const MAX_ALIAS_COUNT = 100;

type Path = readonly PropertyKey[];

/** Reads and parses a pipeline file. Every problem (including an unreadable file) is a `ValidationError`. */
export async function loadPipelineYaml(path: string, options: LoadOptions = {}): Promise<PipelineSpec> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ValidationError(`cannot read pipeline file ${path}: ${errorMessage(error)}`);
  }
  return parsePipelineYaml(text, path, options);
}

/**
 * Parses a pipeline document: YAML (core schema, no custom tags), then `${VAR}` substitution, then the
 * schema. Throws one `ValidationError` listing every problem, each with file, line and column.
 */
export function parsePipelineYaml(text: string, file: string, options: LoadOptions = {}): PipelineSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: true,
    // Plain data only: the core schema, no `<<` merge keys, and no !!binary / !!set / !!timestamp values.
    schema: "core",
    resolveKnownTags: false,
    merge: false,
    stringKeys: true,
    uniqueKeys: false, // checked by duplicateKeys(): the yaml library's check is quadratic in the keys of a mapping
  });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const yamlProblems = yamlErrors(doc.errors, doc.warnings);
  if (yamlProblems.length > 0) {
    throw validationError(yamlProblems.map((e) => ({ message: yamlMessage(e, text), location: at(e.pos[0]) })));
  }

  const lookup = variableLookup(options.params ?? {}, options.env ?? process.env, paramDefaults(doc));
  const placeholderProblems = interpolateDocument(doc, text, lookup);
  const ctx = new Context(doc, toData(doc, at), at, new Set(placeholderProblems.map((p) => p.node)));
  const issues: ValidationIssue[] = placeholderProblems.map((p) => ({ message: p.message, location: at(p.offset) }));
  issues.push(...duplicateKeys(doc, at));

  const parsed = pipelineSchema.safeParse(ctx.data);
  if (!parsed.success) for (const issue of parsed.error.issues) issues.push(...describeIssue(issue, ctx));
  issues.push(...duplicateStepNames(ctx), ...unknownCommands(ctx, options.knownCommands));
  if (!parsed.success || issues.length > 0) throw validationError(issues);
  return toSpec(parsed.data, ctx);
}

/** The parsed document, its plain value, and how to point at a path in it. */
class Context {
  constructor(
    readonly doc: Document,
    readonly data: unknown,
    readonly at: (offset: number) => SourceLocation,
    /** Scalars whose placeholders failed: already reported, so their schema problems are not. */
    readonly broken: ReadonlySet<unknown>,
  ) {}

  /** The node at `path`, or the deepest existing one on the way (the parent mapping of a missing key). */
  node(path: Path): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const key of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      const next = isMap(node) ? this.pair(node, key)?.value : isSeq(node) && typeof key === "number" ? node.items[key] : undefined;
      if (next == null) break;
      node = next;
    }
    return node as Node | undefined;
  }

  /** The key node of `key` in the mapping at `path`, or the mapping. */
  keyNode(path: Path, key: string): Node | undefined {
    const map = this.node(path);
    const pair = isMap(map) ? this.pair(map, key) : undefined;
    return isScalar(pair?.key) ? pair.key : map;
  }

  /** Pairs by key, indexed once per mapping: a file with thousands of bad keys stays fast to report. */
  private pair(map: YAMLMap, key: PropertyKey): Pair | undefined {
    let index = this.pairs.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) if (isScalar(pair.key) && !index.has(pair.key.value)) index.set(pair.key.value, pair);
      this.pairs.set(map, index);
    }
    return index.get(key);
  }

  private readonly pairs = new WeakMap<YAMLMap, Map<unknown, Pair>>();

  locate(node: Node | undefined): SourceLocation {
    return this.at(node?.range?.[0] ?? 0);
  }

  /** An issue at `node`, or none when that node's placeholders were already reported. */
  issue(node: Node | undefined, message: string): ValidationIssue[] {
    return this.broken.has(node) ? [] : [{ message, location: this.locate(node) }];
  }

  value(path: Path): unknown {
    let value = this.data;
    for (const key of path) {
      if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
      value = (value as Record<PropertyKey, unknown>)[key];
    }
    return value;
  }

  /** `step "stage-data"`, or `step 2` while it has no name. */
  stepLabel(index: number): string {
    const name = this.value(["steps", index, "name"]);
    return typeof name === "string" && name !== "" ? `step "${name}"` : `step ${index + 1}`;
  }
}

function validationError(issues: ValidationIssue[]): ValidationError {
  const seen = new Set<string>();
  const unique = issues.filter((issue) => {
    const key = `${issue.location?.line}:${issue.location?.column}:${issue.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const order = (i: ValidationIssue) => (i.location ? i.location.line * 1e6 + i.location.column : 0);
  return new ValidationError(unique.sort((a, b) => order(a) - order(b)));
}

/**
 * The YAML problems worth showing. Warnings count: an unknown tag is only a warning for the yaml library,
 * but never right here. After the first error the parser is lost, and its "Unexpected token" complaints
 * about the rest of the file are echoes of that error, so they are dropped.
 */
function yamlErrors(errors: readonly YAMLError[], warnings: readonly YAMLError[]): YAMLError[] {
  const kept = errors.filter((error, i) => i === 0 || error.code !== "UNEXPECTED_TOKEN");
  return [...kept, ...warnings];
}

function yamlMessage(error: YAMLError, text: string): string {
  if (error.code === "TAG_RESOLVE_FAILED") {
    return `unknown tag ${text.slice(error.pos[0], error.pos[1])}: pipeline files hold plain data, without custom or language-specific tags`;
  }
  // prettyErrors appends " at line L, column C:" and a snippet; the issue carries the location itself.
  const message = `invalid YAML: ${error.message.replace(/ at line \d+, column \d+(:\n[^]*)?$/, "")}`;
  // The usual cause: `{ chip: ${CHIP} }`, where { and } are flow-collection brackets.
  const line = text.slice(text.lastIndexOf("\n", error.pos[0] - 1) + 1).split("\n", 1)[0] ?? "";
  return line.includes("${") ? `${message} (inside { } or [ ], quote values with placeholders: "\${NAME}")` : message;
}

/** The `params:` defaults, as the text written in the file. */
function paramDefaults(doc: Document): Record<string, string> {
  const params = isMap(doc.contents) ? doc.contents.get("params", true) : undefined;
  if (!isMap(params)) return {};
  const entries = params.items.flatMap((pair) => {
    const value = pair.value;
    if (!isScalar(pair.key) || !isScalar(value) || !["string", "number", "boolean"].includes(typeof value.value)) return [];
    return [[String(pair.key.value), value.source ?? String(value.value)] as const];
  });
  return Object.fromEntries(entries); // fromEntries defines own properties: a `__proto__` key is data.
}

/**
 * Aliases are checked in one pass before anything resolves them (yaml resolves each alias by scanning the
 * whole document): each must follow its anchor, must not sit inside it (a value cannot contain itself),
 * and there may be at most MAX_ALIAS_COUNT of them.
 */
function aliasProblems(doc: Document, at: (offset: number) => SourceLocation): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const latest = new Map<string, Node>();
  const open = new Set<Node>();
  let count = 0;
  const walk = (node: unknown): void => {
    if (isAlias(node)) {
      const target = latest.get(node.source);
      const message =
        ++count === MAX_ALIAS_COUNT + 1
          ? `too many aliases (more than ${MAX_ALIAS_COUNT}): write the values out instead`
          : !target
            ? `unknown alias *${node.source}: define the anchor &${node.source} before using it`
            : open.has(target)
              ? `alias *${node.source} is inside its own anchor &${node.source}: a value cannot contain itself`
              : undefined;
      if (message) issues.push({ message, location: at(node.range?.[0] ?? 0) });
    } else if (isScalar(node) || isMap(node) || isSeq(node)) {
      if (node.anchor) latest.set(node.anchor, node);
      open.add(node);
      const children = isMap(node) ? node.items.flatMap((pair) => [pair.key, pair.value]) : isSeq(node) ? node.items : [];
      children.forEach(walk);
      open.delete(node);
    }
  };
  walk(doc.contents);
  return issues;
}

/** Keys given twice in one mapping (YAML would keep the last one silently). */
function duplicateKeys(doc: Document, at: (offset: number) => SourceLocation): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  visit(doc, {
    Map: (_, map) => {
      const first = new Map<string, Node>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        const name = String(key.value);
        const previous = first.get(name);
        if (!previous) {
          first.set(name, key);
        } else {
          const message = `duplicate key "${name}" (first at line ${at(previous.range?.[0] ?? 0).line})`;
          issues.push({ message, location: at(key.range?.[0] ?? 0) });
        }
      }
    },
  });
  return issues;
}

/** The document as plain values. yaml's toJS defines `__proto__` keys as own properties, so they are data. */
function toData(doc: Document, at: (offset: number) => SourceLocation): unknown {
  const aliasIssues = aliasProblems(doc, at);
  if (aliasIssues.length > 0) throw validationError(aliasIssues);
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const aliases: Node[] = [];
    visit(doc, { Alias: (_, node) => (aliases.push(node), visit.BREAK) });
    const message = /excessive alias count/i.test(errorMessage(error))
      ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}): these anchors (&) and aliases (*) would expand ` +
        `into a huge document ("billion laughs"); write the values out instead`
      : `cannot read the document: ${errorMessage(error)}`;
    throw new ValidationError([{ message, location: at(aliases[0]?.range?.[0] ?? 0) }]);
  }
}

// ---- Schema issues → messages

function describeIssue(original: z.core.$ZodIssue, ctx: Context): ValidationIssue[] {
  const { issue, path } = deepestIssue(original, original.path);
  if (issue.code === "unrecognized_keys") {
    const allowed = keysAt(path);
    return issue.keys.flatMap((key) => {
      const hint = closestMatch(key, allowed);
      const help = hint ? `; did you mean "${hint}"?` : ` (allowed keys: ${allowed.join(", ")})`;
      return ctx.issue(ctx.keyNode(path, key), `unknown key "${key}"${where(path, ctx)}${help}`);
    });
  }
  if (issue.code === "invalid_key") {
    const key = String(path.at(-1));
    return ctx.issue(
      ctx.keyNode(path.slice(0, -1), key),
      `invalid variable name "${key}" in ${label(path.slice(0, -1))}: use letters, digits and _, not starting with a digit`,
    );
  }
  const value = ctx.value(path);
  if (value === undefined) {
    const key = String(path.at(-1));
    return ctx.issue(ctx.node(path), `missing required key "${key}"${where(path.slice(0, -1), ctx)}`);
  }
  return ctx.issue(ctx.node(path), `expected ${label(path)} to be ${expectedAt(path)}, got ${show(value)}`);
}

/** A union's own issue says little ("invalid input"); the branch that got furthest says what is wrong. */
function deepestIssue(issue: z.core.$ZodIssue, path: Path): { issue: z.core.$ZodIssue; path: Path } {
  if (issue.code !== "invalid_union") return { issue, path };
  const deepest = issue.errors.flat().reduce<z.core.$ZodIssue | undefined>(
    (best, inner) => (inner.path.length > (best?.path.length ?? 0) ? inner : best),
    undefined,
  );
  return deepest ? deepestIssue(deepest, [...path, ...deepest.path]) : { issue, path };
}

/** The schemas along `path`, as far as the schema describes it (optional and default unwrapped). */
function schemasAlong(path: Path): z.ZodType[] {
  const unwrap = (schema: z.ZodType): z.ZodType =>
    schema instanceof z.ZodOptional || schema instanceof z.ZodDefault ? unwrap(schema.unwrap() as z.ZodType) : schema;
  const schemas: z.ZodType[] = [unwrap(pipelineSchema)];
  for (const key of path) {
    const schema = schemas.at(-1);
    const next =
      schema instanceof z.ZodObject && typeof key === "string"
        ? (schema.shape as Record<string, z.ZodType | undefined>)[key]
        : schema instanceof z.ZodArray
          ? (schema.element as z.ZodType)
          : schema instanceof z.ZodRecord
            ? (schema.valueType as z.ZodType)
            : undefined;
    if (!next) break;
    schemas.push(unwrap(next));
  }
  return schemas;
}

function expectedAt(path: Path): string {
  const found = schemasAlong(path).findLast((schema) => expectations.get(schema));
  return (found && expectations.get(found)?.expected) ?? "something else";
}

function keysAt(path: Path): string[] {
  const schema = schemasAlong(path).at(-1);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** `retry_count`, `rollback.command`, `kwargs.files[2]`, `step 2`, `the document`. Step paths drop their `steps[i]` prefix. */
function label(path: Path): string {
  let rest = path;
  if (path[0] === "steps" && typeof path[1] === "number") {
    if (path.length === 2) return `step ${path[1] + 1}`;
    rest = path.slice(2);
  }
  if (rest.length === 0) return "the document";
  return rest.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join("");
}

/** ` in step "x"`, ` in rollback of step "x"`, or nothing at the top level. */
function where(path: Path, ctx: Context): string {
  if (path.length === 0) return "";
  if (path[0] !== "steps" || typeof path[1] !== "number") return ` in ${label(path)}`;
  const step = ctx.stepLabel(path[1]);
  return path.length === 2 ? ` in ${step}` : ` in ${label(path)} of ${step}`;
}

function show(value: unknown): string {
  if (value === null) return "an empty value";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return Object.keys(value).length === 0 ? "an empty mapping" : "a mapping";
  return typeof value === "boolean" || typeof value === "number" ? String(value) : typeof value;
}

// ---- Checks across steps

function duplicateStepNames(ctx: Context): ValidationIssue[] {
  const steps = ctx.value(["steps"]);
  if (!Array.isArray(steps)) return [];
  const first = new Map<string, number>();
  return steps.flatMap((_, index) => {
    const name = ctx.value(["steps", index, "name"]);
    if (typeof name !== "string") return [];
    const firstIndex = first.get(name);
    if (firstIndex === undefined) {
      first.set(name, index);
      return [];
    }
    const firstLine = ctx.locate(ctx.node(["steps", firstIndex, "name"])).line;
    return ctx.issue(ctx.node(["steps", index, "name"]), `duplicate step name "${name}" (first defined at line ${firstLine})`);
  });
}

function unknownCommands(ctx: Context, known: readonly string[] | undefined): ValidationIssue[] {
  const steps = ctx.value(["steps"]);
  if (!known || !Array.isArray(steps)) return [];
  const paths = steps.flatMap((_, i) => [["steps", i, "command"], ["steps", i, "rollback", "command"]]);
  return paths.flatMap((path) => {
    const command = ctx.value(path);
    if (typeof command !== "string" || command === "" || known.includes(command)) return [];
    const hint = closestMatch(command, known);
    const list = known.length > 0 ? known.join(", ") : "none";
    return ctx.issue(ctx.node(path), `Unknown command: ${command} (known: ${list}${hint ? `; did you mean "${hint}"?` : ""})`);
  });
}

// ---- Spec

function toSpec(document: PipelineDocument, ctx: Context): PipelineSpec {
  const steps = document.steps.map((step, index): StepSpec => {
    const path = ["steps", index];
    // kwargs come from the raw values: zod drops `__proto__` keys, the spec keeps them as data.
    const spec: StepSpec = { name: step.name, command: step.command, args: copyArgs(ctx.value([...path, "kwargs"])) };
    if (step.description !== undefined) spec.description = step.description;
    for (const [yamlKey, key] of Object.entries(STEP_OPTION_KEYS) as [keyof typeof STEP_OPTION_KEYS, keyof typeof STEP_OPTION_DEFAULTS][]) {
      const given = step[yamlKey];
      const value = typeof given === "boolean" && key === "jitter" ? Number(given) : given;
      // Defaults are left out, so that writing and loading again gives the same spec.
      if (value !== undefined && value !== STEP_OPTION_DEFAULTS[key]) Object.assign(spec, { [key]: value });
    }
    if (step.rollback) {
      spec.rollback = { command: step.rollback.command, args: copyArgs(ctx.value([...path, "rollback", "kwargs"])) };
    }
    spec.location = ctx.locate(ctx.node(path));
    spec.commandLocation = ctx.locate(ctx.node([...path, "command"]));
    return spec;
  });
  return { name: document.name, ...(document.description !== undefined && { description: document.description }), steps };
}

/** A fresh copy (aliases would otherwise share objects between steps); `__proto__` keys stay own data. */
function copyArgs(value: unknown): Record<string, Json> {
  return value === undefined ? {} : (copyJson(value) as Record<string, Json>);
}

function copyJson(value: unknown): Json {
  if (Array.isArray(value)) return value.map(copyJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyJson(item)]));
  }
  return value as Json;
}
