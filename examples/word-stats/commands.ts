/**
 * Commands of the word-stats example: a registry module, as `pipewright run --registry` loads it.
 * Each command takes plain JSON args and returns plain JSON, so every step can be checkpointed.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PermanentError, type StepContext } from "pipewright";

export async function make_dir(args: { path: string }) {
  await mkdir(args.path, { recursive: true });
  return { path: args.path };
}

export async function remove_dir(args: { path: string }, ctx: StepContext) {
  ctx.log(`removing ${args.path}`);
  await rm(args.path, { recursive: true, force: true });
}

export async function count_words(args: { input: string; output: string }, ctx: StepContext) {
  const text = await readFile(args.input, "utf8").catch(() => {
    throw new PermanentError(`Cannot read ${args.input}`); // retrying will not make the file appear
  });
  const counts: Record<string, number> = {};
  for (const word of text.toLowerCase().match(/[\p{L}']+/gu) ?? []) counts[word] = (counts[word] ?? 0) + 1;
  await writeFile(args.output, JSON.stringify(counts, null, 2));
  const words = Object.values(counts).reduce((a, b) => a + b, 0);
  ctx.log(`${words} words, ${Object.keys(counts).length} distinct`);
  return { words, distinct: Object.keys(counts).length, countsPath: args.output };
}

/** Stands in for a call to a remote service that fails now and then: the first attempt always fails. */
export function fetch_stopwords(args: { language: string }, ctx: StepContext) {
  if (ctx.attempt === 1) throw new Error("stopword service timed out (simulated)");
  ctx.log(`got stopwords for ${args.language} on attempt ${ctx.attempt}`);
  return ["the", "a", "an", "and", "or", "of", "to", "in", "is", "it", "that", "for", "on", "with", "as", "by", "its", "be", "are", "when"];
}

export async function top_words(args: { counts: string; top: number; output: string }, ctx: StepContext) {
  const counts = JSON.parse(await readFile(args.counts, "utf8")) as Record<string, number>;
  const stopwords = new Set((ctx.outputs["fetch-stopwords"] as string[] | null) ?? []);
  const top = Object.entries(counts)
    .filter(([word]) => !stopwords.has(word))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, args.top);
  await writeFile(args.output, JSON.stringify(top, null, 2));
  return { top: top.map(([word, n]) => `${word} (${n})`) };
}

export async function write_report(args: { dir: string }, ctx: StepContext) {
  const counted = ctx.outputs["count-words"] as { words: number; distinct: number };
  const top = (ctx.outputs["top-words"] as { top: string[] }).top;
  const report = [
    "# Word stats",
    "",
    `${counted.words} words, ${counted.distinct} distinct.`,
    "",
    "Most frequent (stopwords left out):",
    ...top.map((entry, i) => `${i + 1}. ${entry}`),
    "",
  ].join("\n");
  const path = join(args.dir, "report.md");
  await writeFile(path, report);
  ctx.log(`report written to ${path}`);
  return { report: path };
}
