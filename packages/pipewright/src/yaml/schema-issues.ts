import { z } from "zod";
import type { ValidationIssue } from "../errors.js";
import { closestMatch } from "./closest-match.js";
import type { Context, Path } from "./document-context.js";
import { expectations, pipelineSchema } from "./pipeline-schema.js";

/** Turns a zod issue into messages a person can act on, located at the offending node. */
export function describeIssue(original: z.core.$ZodIssue, ctx: Context): ValidationIssue[] {
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
