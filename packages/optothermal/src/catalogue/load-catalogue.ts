import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { ValidationError, type SourceLocation, type ValidationIssue } from "pipewright";
import { isCollection, LineCounter, parseDocument, type Document } from "yaml";
import { catalogueSchema, type Catalogue } from "./catalogue-schema.js";

/** The catalogue shipped with the package: `config/procedures.yml`. */
export const DEFAULT_CATALOGUE_PATH = fileURLToPath(new URL("../../config/procedures.yml", import.meta.url));

/**
 * Reads and validates a procedure catalogue.
 * Throws a `ValidationError` listing every problem as `file:line:column: message`.
 * @example const catalogue = await loadCatalogue(); catalogue.procedures.IVg?.needsChip // true
 */
export async function loadCatalogue(path: string = DEFAULT_CATALOGUE_PATH): Promise<Catalogue> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ValidationError(`cannot read procedure catalogue ${path}: ${(error as Error).message}`);
  }
  return parseCatalogue(text, path);
}

/** Validates catalogue text; `file` only names the source in messages. */
export function parseCatalogue(text: string, file: string): Catalogue {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, schema: "core", merge: false });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const yamlErrors = [...doc.errors, ...doc.warnings];
  if (yamlErrors.length > 0) {
    // The yaml library appends its own position and a snippet; the issue carries the location.
    throw new ValidationError(yamlErrors.map((e) => ({ message: `invalid YAML: ${e.message.split(" at line ")[0]}`, location: at(e.pos[0]) })));
  }
  const parsed = catalogueSchema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const issues: ValidationIssue[] = parsed.error.issues.map((issue) => ({
    message: `${issue.path.join(".") || "(top level)"}: ${issue.message}`,
    location: at(nodeOffset(doc, issue.path)),
  }));
  throw new ValidationError(issues);
}

/** Where the value at `path` starts; for a missing key, its closest existing parent. */
function nodeOffset(doc: Document, path: readonly PropertyKey[]): number {
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return range[0];
  }
  return isCollection(doc.contents) ? (doc.contents.range?.[0] ?? 0) : 0;
}
