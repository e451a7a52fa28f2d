import { createHash } from "node:crypto";
import type { Command, Json } from "./types.js";

/** JSON with object keys sorted, so that equal values always give equal text. */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    // A list of plain values (a map step's 100,000 file names) needs no key sorting: one stringify.
    if (value.every((item) => item === null || typeof item !== "object")) return JSON.stringify(value);
    return `[${value.map(canonicalJson).join(",")}]`;
  }
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Json)}`).join(",")}}`;
}

const hashesByFunction = new WeakMap<Command, string>();
// Closures made by one factory share their source: hash each source text once.
const hashesBySource = new Map<string, string>();

/** A short hash of a function's source, cached: editing a command's code changes its steps' fingerprints. */
function sourceHash(fn: Command): string {
  let hash = hashesByFunction.get(fn);
  if (hash === undefined) {
    const source = fn.toString();
    hash = hashesBySource.get(source);
    if (hash === undefined) {
      hash = createHash("sha256").update(source).digest("hex").slice(0, 16);
      hashesBySource.set(source, hash);
    }
    hashesByFunction.set(fn, hash);
  }
  return hash;
}

/**
 * What identifies a step's work: its command (name and code), its args, and the fingerprints of the
 * steps it depends on — so that when a step's work changes, everything downstream of it counts as
 * changed too. Resume skips a step that succeeded only while its fingerprint is unchanged.
 */
export function stepFingerprint(
  commandName: string,
  command: Command,
  args: Record<string, Json>,
  upstream: readonly string[],
): string {
  return createHash("sha256")
    .update(commandName)
    .update("\0")
    .update(sourceHash(command))
    .update("\0")
    .update(canonicalJson(args))
    .update("\0")
    .update(upstream.join(","))
    .digest()
    .toString("hex", 0, 16); // not digest("hex").slice(): a slice would keep the whole digest alive
}
