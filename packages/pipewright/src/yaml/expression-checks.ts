import type { ValidationIssue } from "../errors.js";
import { ExpressionSyntaxError, parseCondition } from "../expressions/expression.js";
import { compileTemplate, TemplateSyntaxError } from "../expressions/template.js";
import type { Context, Path } from "./document-context.js";
import { allEntryPaths, stepKinds } from "./document-structure.js";
import { where } from "./path-labels.js";
import { ITEMS_EXPRESSION } from "./pipeline-schema.js";
import { offsetInSource } from "./source-offsets.js";

/**
 * Syntax errors in `if:` conditions and in the `${{ expressions }}` of kwargs and `map.items`, located
 * inside the string. Nothing is evaluated: values come from steps that have not run yet.
 */
export function expressionProblems(ctx: Context): ValidationIssue[] {
  return allEntryPaths(ctx)
    .filter((entry) => stepKinds(ctx.value(entry)).every((kind) => kind === "command"))
    .flatMap((entry) => {
      const items = ctx.value([...entry, "map", "items"]);
      return [
        ...check(ctx, [...entry, "if"], parseCondition),
        ...templateStrings(ctx, [...entry, "kwargs"]).flatMap((path) => check(ctx, path, compileTemplate)),
        ...templateStrings(ctx, [...entry, "rollback", "kwargs"]).flatMap((path) => check(ctx, path, compileTemplate)),
        // Any other string is already reported by the schema ("expected a list or a ${{ expression }}").
        ...(typeof items === "string" && ITEMS_EXPRESSION.test(items) ? check(ctx, [...entry, "map", "items"], compileTemplate) : []),
      ];
    });
}

/** Parses the string at `path`; a syntax error becomes an issue at its column. */
function check(ctx: Context, path: Path, parse: (text: string) => unknown): ValidationIssue[] {
  const text = ctx.value(path);
  if (typeof text !== "string") return [];
  try {
    parse(text);
    return [];
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError || error instanceof TemplateSyntaxError)) throw error;
    const node = ctx.node(path);
    const offset = node ? offsetInSource(node, text, ctx.source, error.index) : undefined;
    return ctx.issue(node, `invalid expression${where(path, ctx)}: ${error.message}`, offset);
  }
}

/** Paths of the strings inside the value at `path` (kwargs: nested lists and mappings included). */
function templateStrings(ctx: Context, path: Path): Path[] {
  const value = ctx.value(path);
  if (typeof value === "string") return [path];
  if (value === null || typeof value !== "object") return [];
  return Object.keys(value).flatMap((key) => templateStrings(ctx, [...path, Array.isArray(value) ? Number(key) : key]));
}
