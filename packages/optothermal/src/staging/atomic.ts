import { rename, rm } from "node:fs/promises";
import path from "node:path";

/** A temporary name beside `target`, so that a rename replaces it atomically. */
export function tempBeside(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
}

/** Runs `write(temp)` then renames the temporary file over `target`; removes it on failure. */
export async function writeAtomically(target: string, write: (temp: string) => Promise<void>): Promise<void> {
  const temp = tempBeside(target);
  try {
    await write(temp);
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
}
