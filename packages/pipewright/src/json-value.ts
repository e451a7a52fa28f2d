import { PermanentError } from "./errors.js";
import type { Json } from "./types.js";

/**
 * The value as plain JSON, exactly as it will read back from a checkpoint: `undefined` becomes null,
 * class instances lose their prototype. A value JSON cannot hold (a cycle, a BigInt) is an error.
 */
export function toJsonValue(value: unknown, what: string): Json {
  if (value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new PermanentError(`${what} is not plain JSON: ${(error as Error).message}`);
  }
  return text === undefined ? null : (JSON.parse(text) as Json);
}
