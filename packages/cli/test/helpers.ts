import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import { afterEach } from "vitest";
import { main } from "../src/main.js";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
export const COMMANDS = join(FIXTURES, "commands.ts");

/** The absolute path of a fixture file. */
export function fixture(name: string): string {
  return join(FIXTURES, name);
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `pipewright ...argv` in this process, capturing what it writes, without colours. */
export async function runCli(argv: readonly string[]): Promise<CliRun> {
  let out = "";
  let err = "";
  const code = await main(argv, {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    colors: pc.createColors(false),
  });
  return { code, out, err };
}

const made: string[] = [];

/** A fresh temporary directory (its name has a space, to exercise quoting), removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pipewright cli-"));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The lines of a file the fixture commands append to; [] when it does not exist. */
export async function lines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, "utf8")).split("\n").filter((line) => line !== "");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** Checkpoint snapshots (`*.json`, not journals) in `dir`, sorted. */
export async function checkpointFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(".json")).sort();
}

/** The command printed after "Resume with: ", or undefined. */
export function resumeLine(err: string): string | undefined {
  return /^Resume with: (.*)$/m.exec(err)?.[1];
}

/** Splits a POSIX shell command line into words: whitespace, '...' and \-escapes (what the CLI's quoting produces). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed quote in ${line}`);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (ch === "\\") {
      word = (word ?? "") + (line[i + 1] ?? "");
      i++;
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? "") + ch;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
