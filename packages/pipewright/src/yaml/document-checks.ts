import { isAlias, isMap, isScalar, isSeq, visit, type Document, type Node } from "yaml";
import type { SourceLocation, ValidationIssue } from "../errors.js";
import { closestMatch } from "./closest-match.js";
import type { Context, Path } from "./document-context.js";
import { allEntryPaths, entryPaths, pipelinePaths, stepKinds } from "./document-structure.js";
import { entryLabel } from "./path-labels.js";

/** Aliases in a file, and expansions of one anchor: enough for real files, far too few for a "billion laughs". */
export const MAX_ALIAS_COUNT = 100;

/**
 * Aliases are checked in one pass before anything resolves them (yaml resolves each alias by scanning the
 * whole document): each must follow its anchor, must not sit inside it (a value cannot contain itself),
 * and there may be at most MAX_ALIAS_COUNT of them.
 */
export function aliasProblems(doc: Document, at: (offset: number) => SourceLocation): ValidationIssue[] {
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
export function duplicateKeys(doc: Document, at: (offset: number) => SourceLocation): ValidationIssue[] {
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

/** An entry that is not exactly one kind of step; reported once, at the entry, instead of its schema problems. */
export function kindProblem(ctx: Context, entry: Path): { message: string; node: Node | undefined } | undefined {
  const kinds = stepKinds(ctx.value(entry));
  if (kinds.length > 1) {
    const got = `${kinds.slice(0, -1).join(", ")} and ${String(kinds.at(-1))}`;
    return { message: `expected exactly one of command, parallel or pipeline in ${entryLabel(entry, ctx)}, got ${got}`, node: ctx.node(entry) };
  }
  if (kinds[0] === "parallel" && entry.at(-2) === "parallel") {
    const group = entryLabel(entry.slice(0, -2), ctx);
    const message = `parallel groups cannot be nested: ${entryLabel(entry, ctx)} is in ${group}; list its steps in ${group} directly`;
    return { message, node: ctx.keyNode(entry, "parallel") };
  }
  return undefined;
}

export function kindProblems(ctx: Context): ValidationIssue[] {
  return allEntryPaths(ctx).flatMap((entry) => {
    const problem = kindProblem(ctx, entry);
    return problem ? ctx.issue(problem.node, problem.message) : [];
  });
}

/** Names shared by two entries of one pipeline, parallel members included (a nested pipeline's steps have their own). */
export function duplicateStepNames(ctx: Context): ValidationIssue[] {
  return pipelinePaths(ctx).flatMap((pipeline) => {
    const first = new Map<string, Path>();
    return entryPaths(ctx, pipeline).flatMap((entry) => {
      const name = ctx.value([...entry, "name"]);
      if (typeof name !== "string") return [];
      const previous = first.get(name);
      if (!previous) {
        first.set(name, entry);
        return [];
      }
      const firstLine = ctx.locate(ctx.node([...previous, "name"])).line;
      return ctx.issue(ctx.node([...entry, "name"]), `duplicate step name "${name}" (first defined at line ${firstLine})`);
    });
  });
}

export function unknownCommands(ctx: Context, known: readonly string[] | undefined): ValidationIssue[] {
  if (!known) return [];
  const paths = allEntryPaths(ctx).flatMap((entry) => [[...entry, "command"], [...entry, "rollback", "command"]]);
  return paths.flatMap((path) => {
    const command = ctx.value(path);
    if (typeof command !== "string" || command === "" || known.includes(command)) return [];
    const hint = closestMatch(command, known);
    const list = known.length > 0 ? known.join(", ") : "none";
    return ctx.issue(ctx.node(path), `Unknown command: ${command} (known: ${list}${hint ? `; did you mean "${hint}"?` : ""})`);
  });
}
