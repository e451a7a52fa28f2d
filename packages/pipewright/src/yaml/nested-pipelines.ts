import { readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { errorMessage, ValidationError, type ValidationIssue } from "../errors.js";
import type { PipelineSpec } from "../pipeline-spec.js";
import type { Context, Path } from "./document-context.js";
import { allEntryPaths, stepKinds } from "./document-structure.js";
import { scalarTexts } from "./interpolate.js";
import type { LoadOptions } from "./load-pipeline-yaml.js";

/** Nested files loaded in one load, at most: files that include one another many times cannot make a load explode. */
const MAX_NESTED_FILES = 1000;

/** The files being loaded, outermost first (a file that includes one of them closes a cycle), and the count so far. */
export interface IncludeChain {
  readonly files: readonly { readonly real: string; readonly name: string }[];
  readonly loaded: { count: number };
}

export function includeChain(file: string): IncludeChain {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    real = resolve(file); // text given with a name only (parsePipelineYaml): not a file on disk
  }
  return { files: [{ real, name: file }], loaded: { count: 0 } };
}

export type ParseFile = (text: string, file: string, options: LoadOptions, chain: IncludeChain) => PipelineSpec;

/** The nested pipelines loaded from files, by `entryKey(entry)`, and the problems of loading them. */
export interface NestedFiles {
  specs: Map<string, PipelineSpec>;
  issues: ValidationIssue[];
}

export const entryKey = (entry: Path): string => JSON.stringify(entry);

/**
 * Loads the file of every `pipeline: <path>` entry, relative to the directory of `file`, with the
 * entry's `params:` as its params. The problems of a nested file carry its own name and lines.
 */
export function loadNestedFiles(ctx: Context, file: string, options: LoadOptions, chain: IncludeChain, parse: ParseFile): NestedFiles {
  const nested: NestedFiles = { specs: new Map(), issues: [] };
  for (const entry of allEntryPaths(ctx)) {
    const written = ctx.value([...entry, "pipeline"]);
    if (typeof written !== "string" || written === "" || stepKinds(ctx.value(entry)).length !== 1) continue;
    const at = ctx.node([...entry, "pipeline"]);
    const name = isAbsolute(written) ? written : join(dirname(file), written);
    const problem = (message: string) => nested.issues.push(...ctx.issue(at, message));
    if (chain.loaded.count >= MAX_NESTED_FILES) {
      // Reported once, at the first file over the limit; the files that include this one stop loading too.
      if (chain.loaded.count++ === MAX_NESTED_FILES) {
        problem(`too many nested pipeline files (more than ${MAX_NESTED_FILES} in one load): do the files include one another many times?`);
      }
      break;
    }
    chain.loaded.count++;
    let real: string;
    let text: string;
    try {
      text = readFileSync(name, "utf8");
      real = realpathSync(name);
    } catch (error) {
      problem(`cannot read pipeline file ${name}: ${errorMessage(error)}`);
      continue;
    }
    const cycle = chain.files.findIndex((f) => f.real === real);
    if (cycle >= 0) {
      problem(`pipeline files include each other: ${[...chain.files.slice(cycle).map((f) => f.name), name].join(" → ")}`);
      continue;
    }
    try {
      const spec = parse(text, name, { ...options, params: givenParams(ctx, entry) }, { files: [...chain.files, { real, name }], loaded: chain.loaded });
      nested.specs.set(entryKey(entry), spec);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      nested.issues.push(...error.issues);
    }
  }
  return nested;
}

/** The `params:` a nested pipeline entry gives, as text (already substituted in the including pipeline). */
export function givenParams(ctx: Context, entry: Path): Record<string, string> {
  return paramsAt(ctx, [...entry, "params"]);
}

/** A `params:` mapping as text; none when there is no mapping at `path`. */
export function paramsAt(ctx: Context, path: Path): Record<string, string> {
  // ctx.node() stops at the deepest existing node: without the key it would be the parent mapping.
  return ctx.value(path) === undefined ? {} : scalarTexts(ctx.node(path));
}
