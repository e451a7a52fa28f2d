import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Json } from "pipewright";
import { writeAtomically } from "./staging/atomic.js";
import { fileExists } from "./file-exists.js";

/**
 * "Is this output still up to date?" for the lab's derived files (histories, enriched histories,
 * plots): a stamp beside the output records the size and modification time of every input and the
 * settings it was made with, and what the step returned. Unchanged inputs and settings, and outputs
 * still there: the step returns that result instead of doing the work again.
 */
interface Stamp {
  inputs: Record<string, FileState | null>;
  settings: Json;
  outputs: string[];
  result: Json;
}

type FileState = { size: number; mtimeMs: number } | Record<string, { size: number; mtimeMs: number }>;

/** The result recorded when the output was made, if nothing it depends on changed since; else null. */
export async function upToDateResult(stampFile: string, inputs: readonly string[], settings: Json): Promise<Json | null> {
  const text = await readFile(stampFile, "utf8").catch(() => null);
  if (text === null) return null;
  const stamp = JSON.parse(text) as Stamp;
  const now = await inputStates(inputs);
  if (JSON.stringify(stamp.inputs) !== JSON.stringify(now) || JSON.stringify(stamp.settings) !== JSON.stringify(settings)) return null;
  for (const output of stamp.outputs) if (!(await fileExists(output))) return null;
  return stamp.result;
}

/** Records what the output was made from (call after writing the outputs). */
export async function writeStamp(stampFile: string, inputs: readonly string[], settings: Json, outputs: readonly string[], result: Json): Promise<void> {
  const stamp: Stamp = { inputs: await inputStates(inputs), settings, outputs: [...outputs], result };
  await writeAtomically(stampFile, (temp) => writeFile(temp, `${JSON.stringify(stamp)}\n`));
}

/** Each input's size and time; a folder's are those of the files in it (dot files left out). */
async function inputStates(inputs: readonly string[]): Promise<Record<string, FileState | null>> {
  const states: Record<string, FileState | null> = {};
  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (info === null) states[input] = null;
    else if (!info.isDirectory()) states[input] = { size: info.size, mtimeMs: info.mtimeMs };
    else {
      const files: Record<string, { size: number; mtimeMs: number }> = {};
      for (const name of (await readdir(input)).filter((n) => !n.startsWith(".")).sort()) {
        const file = await stat(path.join(input, name));
        if (file.isFile()) files[name] = { size: file.size, mtimeMs: file.mtimeMs };
      }
      states[input] = files;
    }
  }
  return states;
}
