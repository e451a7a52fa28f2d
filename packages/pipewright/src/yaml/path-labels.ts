import type { Context, Path } from "./document-context.js";
import { entriesAlong } from "./document-structure.js";

/** How messages name a place in a document: relative to the step it is in, and that step. */

/** `retry_count`, `rollback.command`, `kwargs.files[2]`, `step 2`, `the document`: relative to the innermost step. */
export function label(path: Path, ctx: Context): string {
  const entry = entriesAlong(path).at(-1);
  if (entry && entry.length === path.length) return entryLabel(entry, ctx);
  const rest = entry ? path.slice(entry.length) : path;
  if (rest.length === 0) return "the document";
  return rest.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join("");
}

/** ` in step "x"`, ` in rollback of step "x"`, ` in params`, or nothing at the top level. */
export function where(path: Path, ctx: Context): string {
  if (path.length === 0) return "";
  const entry = entriesAlong(path).at(-1);
  if (!entry) return ` in ${label(path, ctx)}`;
  const step = entryLabel(entry, ctx);
  return entry.length === path.length ? ` in ${step}` : ` in ${label(path, ctx)} of ${step}`;
}

/** `step "stage-data"`, `step "per-chip/fit"` inside a nested pipeline, or `step 2 of step "g"` while it has no name. */
export function entryLabel(entry: Path, ctx: Context): string {
  const name = qualifiedName(entry, ctx);
  if (name !== undefined) return `step "${name}"`;
  const parent = entriesAlong(entry).at(-2);
  const position = `step ${Number(entry.at(-1)) + 1}`;
  return parent ? `${position} of ${entryLabel(parent, ctx)}` : position;
}

/** The name the engine gives the step: a nested pipeline's steps are `<entry>/<step>`; parallel members keep theirs. */
function qualifiedName(entry: Path, ctx: Context): string | undefined {
  const name = ctx.value([...entry, "name"]);
  if (typeof name !== "string" || name === "") return undefined;
  const parent = entriesAlong(entry).at(-2);
  if (!parent || entry[parent.length] !== "pipeline") return name;
  const outer = qualifiedName(parent, ctx);
  return outer === undefined ? undefined : `${outer}/${name}`;
}
