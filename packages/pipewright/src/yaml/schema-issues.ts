import { z } from "zod";
import type { ValidationIssue } from "../errors.js";
import { closestMatch } from "./closest-match.js";
import { kindProblem } from "./document-checks.js";
import type { Context, Path } from "./document-context.js";
import { entriesAlong, isMapping, stepKinds } from "./document-structure.js";
import { label, where } from "./path-labels.js";
import { expectations, pipelineSchema, STEP_KINDS } from "./pipeline-schema.js";

/** Turns a zod issue into messages a person can act on, located at the offending node. */
export function describeIssue(issue: z.core.$ZodIssue, ctx: Context, path: Path = issue.path): ValidationIssue[] {
  // An entry of several kinds gets one issue from kindProblems(), not one per schema it fails.
  if (entriesAlong(path).some((entry) => kindProblem(ctx, entry))) return [];
  const value = ctx.value(path);
  if (issue.code === "invalid_union" && value !== undefined) {
    const inner = unionBranch(issue, path, ctx);
    if (inner) return inner.flatMap((i) => describeIssue(i, ctx, [...path, ...i.path]));
  }
  if (issue.code === "unrecognized_keys") {
    const allowed = keysAt(path, ctx);
    return issue.keys.flatMap((key) => {
      const hint = closestMatch(key, allowed);
      const help =
        key === "password" && path.join(".") === "executor"
          ? ": pipeline files get shared, so the password goes in --password or $PIPEWRIGHT_REDIS_PASSWORD"
          : hint
            ? `; did you mean "${hint}"?`
            : ` (allowed keys: ${allowed.join(", ")})`;
      return ctx.issue(ctx.keyNode(path, key), `unknown key "${key}"${where(path, ctx)}${help}`);
    });
  }
  if (issue.code === "invalid_key") {
    const key = String(path.at(-1));
    return ctx.issue(
      ctx.keyNode(path.slice(0, -1), key),
      `invalid variable name "${key}"${where(path.slice(0, -1), ctx)}: use letters, digits and _, not starting with a digit`,
    );
  }
  // A cross-key check of the schema, with its own message.
  if (issue.code === "custom") return ctx.issue(ctx.node(path), issue.message);
  if (value === undefined) {
    const key = String(path.at(-1));
    return ctx.issue(ctx.node(path), `missing required key "${key}"${where(path.slice(0, -1), ctx)}`);
  }
  return ctx.issue(ctx.node(path), `expected ${label(path, ctx)} to be ${expectedAt(path, ctx)}, got ${show(value)}`);
}

/**
 * A union's own issue says little ("invalid input"). The issues of the branch the value was meant for
 * say what is wrong: the step kind its keys name, else the one branch of the right type, else the
 * single issue that got furthest. None: the union's own issue is the message ("expected ... got ...").
 */
function unionBranch(issue: z.core.$ZodIssueInvalidUnion, path: Path, ctx: Context): z.core.$ZodIssue[] | undefined {
  const union = schemasAlong(path, ctx).at(-1);
  const chosen = union instanceof z.ZodUnion ? (union.options as readonly z.ZodType[]).indexOf(chooseOption(union, ctx.value(path))) : -1;
  if (chosen >= 0) return issue.errors[chosen];
  const typed = issue.errors.filter((errors) => !errors.some((e) => e.code === "invalid_type" && e.path.length === 0));
  if (typed.length === 1) return typed[0];
  const deepest = issue.errors.flat().reduce<z.core.$ZodIssue | undefined>(
    (best, inner) => (inner.path.length > (best?.path.length ?? 0) ? inner : best),
    undefined,
  );
  return deepest && [deepest];
}

/** The option of a union that `value` is meant for: a step by its kind key (no key: a command step), a mapping or a list by type. */
function chooseOption(union: z.ZodUnion, value: unknown): z.ZodType {
  const options = union.options as readonly z.ZodType[];
  const shapeOf = (o: z.ZodType) => (o instanceof z.ZodObject ? (o.shape as Record<string, unknown>) : undefined);
  if (options.every((o) => STEP_KINDS.some((kind) => shapeOf(o)?.[kind]))) {
    if (!isMapping(value)) return union;
    const kind = stepKinds(value)[0] ?? "command";
    return options.find((o) => shapeOf(o)?.[kind]) ?? union;
  }
  const fits = (o: z.ZodType) => (Array.isArray(value) ? o instanceof z.ZodArray : isMapping(value) && (o instanceof z.ZodObject || o instanceof z.ZodRecord));
  return options.find(fits) ?? union;
}

/** The schemas along `path`, as far as the schema describes it (optional and default unwrapped, unions followed as the data goes). */
function schemasAlong(path: Path, ctx: Context): z.ZodType[] {
  const unwrap = (schema: z.ZodType): z.ZodType =>
    schema instanceof z.ZodOptional || schema instanceof z.ZodDefault ? unwrap(schema.unwrap() as z.ZodType) : schema;
  const schemas: z.ZodType[] = [unwrap(pipelineSchema)];
  for (const [i, key] of path.entries()) {
    const schema = resolved(schemas.at(-1), path.slice(0, i), ctx);
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

function resolved(schema: z.ZodType | undefined, path: Path, ctx: Context): z.ZodType | undefined {
  return schema instanceof z.ZodUnion ? chooseOption(schema, ctx.value(path)) : schema;
}

function expectedAt(path: Path, ctx: Context): string {
  const found = schemasAlong(path, ctx).findLast((schema) => expectations.get(schema));
  return (found && expectations.get(found)?.expected) ?? "something else";
}

function keysAt(path: Path, ctx: Context): string[] {
  const schema = resolved(schemasAlong(path, ctx).at(-1), path, ctx);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function show(value: unknown): string {
  if (value === null) return "an empty value";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return Object.keys(value).length === 0 ? "an empty mapping" : "a mapping";
  return typeof value === "boolean" || typeof value === "number" ? String(value) : typeof value;
}
