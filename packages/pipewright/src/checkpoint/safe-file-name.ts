import { createHash } from "node:crypto";
import { resolve, sep } from "node:path";

/**
 * A file-name-safe form of a pipeline name: letters, digits, `.`, `_` and `-` only, no leading dot,
 * at most 80 characters. A name that had to change gets a hash of the original appended, so that
 * "a/b" and "a_b" never share checkpoint files.
 */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "_").slice(0, 80);
  if (cleaned === name && cleaned.length > 0) return cleaned;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${cleaned || "pipeline"}-${hash}`;
}

/** Joins `dir` and `file`, refusing any result outside `dir`. */
export function pathInside(dir: string, file: string): string {
  const root = resolve(dir);
  const full = resolve(root, file);
  if (!full.startsWith(root + sep)) throw new Error(`Refusing checkpoint path outside ${root}: ${file}`);
  return full;
}
