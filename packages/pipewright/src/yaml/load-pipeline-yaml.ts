import { readFile } from "node:fs/promises";
import { isMap, LineCounter, parseDocument, visit, type Document, type Node, type YAMLError } from "yaml";
import { errorMessage, ValidationError, type SourceLocation, type ValidationIssue } from "../errors.js";
import type { PipelineSpec } from "../pipeline-spec.js";
import { buildSpec } from "./build-spec.js";
import { aliasProblems, duplicateKeys, duplicateStepNames, kindProblems, MAX_ALIAS_COUNT, unknownCommands } from "./document-checks.js";
import { Context } from "./document-context.js";
import { expressionProblems } from "./expression-checks.js";
import { scalarTexts, variableLookup } from "./interpolate.js";
import { interpolatePipelines } from "./interpolation-scopes.js";
import { includeChain, loadNestedFiles, type IncludeChain } from "./nested-pipelines.js";
import { pipelineSchema } from "./pipeline-schema.js";
import { describeIssue } from "./schema-issues.js";

export { MAX_ALIAS_COUNT };

export interface LoadOptions {
  /** Values of `${NAME}` placeholders (`--param NAME=value`); they win over the environment. Nested pipelines get their entry's `params:` instead. */
  params?: Record<string, string>;
  /** Where `${NAME}` is looked up after `params`. @default process.env */
  env?: Record<string, string | undefined>;
  /** When given, every `command` (and rollback command) must be one of these, in nested pipelines too. */
  knownCommands?: readonly string[];
}

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
 * schema and the checks beyond it; nested pipeline files are read (synchronously) and checked the same
 * way. Throws one `ValidationError` listing every problem of every file, each with file, line and column.
 */
export function parsePipelineYaml(text: string, file: string, options: LoadOptions = {}): PipelineSpec {
  return parseFile(text, file, options, includeChain(file));
}

function parseFile(text: string, file: string, options: LoadOptions, chain: IncludeChain): PipelineSpec {
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

  const defaults = scalarTexts(isMap(doc.contents) ? doc.contents.get("params", true) : undefined);
  const env = options.env ?? process.env;
  const lookup = variableLookup(options.params ?? {}, env, defaults);
  const placeholderProblems = interpolatePipelines(doc, text, lookup, env, chain.files.length > 1);
  const ctx = new Context(doc, text, toData(doc, at), at, new Set(placeholderProblems.map((p) => p.node)));
  const issues: ValidationIssue[] = placeholderProblems.map((p) => ({ message: p.message, location: at(p.offset) }));
  issues.push(...duplicateKeys(doc, at), ...kindProblems(ctx));

  const parsed = pipelineSchema.safeParse(ctx.data);
  if (!parsed.success) for (const issue of parsed.error.issues) issues.push(...describeIssue(issue, ctx));
  issues.push(...duplicateStepNames(ctx), ...unknownCommands(ctx, options.knownCommands), ...expressionProblems(ctx));
  // After this file's own problems: each file's problems stay together, the including file's first.
  const nested = loadNestedFiles(ctx, file, options, chain, parseFile);
  issues.push(...nested.issues);
  if (!parsed.success || issues.length > 0) throw validationError(issues);
  const spec = buildSpec(parsed.data, ctx, nested.specs);
  return Object.keys(defaults).length > 0 ? { ...spec, params: defaults } : spec;
}

/** Every problem once, file by file (in the order the files come up), each file's in document order. */
function validationError(issues: ValidationIssue[]): ValidationError {
  const seen = new Set<string>();
  const unique = issues.filter((issue) => {
    const key = `${issue.location?.file}:${issue.location?.line}:${issue.location?.column}:${issue.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const files = [...new Set(unique.map((i) => i.location?.file))];
  const order = (i: ValidationIssue) => files.indexOf(i.location?.file) * 1e12 + (i.location ? i.location.line * 1e6 + i.location.column : 0);
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
