/**
 * The long crash test (`npm run soak`): the crash loop of test/crash-loop.test.ts with many more
 * interruptions — SIGKILL, SIGTERM and SIGINT mixed at seeded moments — over several seeds, checking
 * the same promises every round. Prints what it survived; exits 1 when a promise broke.
 *
 *   npm run soak [-- --rounds 60 --seeds 3 --items 1000]
 */
import { parseArgs } from "node:util";
import { crashLoop, seeded, uninterruptedRun, type Interruption } from "../test/crash-loop.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "40" }, seeds: { type: "string", default: "3" }, items: { type: "string", default: "1000" } } });
const rounds = Number(values.rounds);
const items = Number(values.items);
const started = performance.now();
const reference = await uninterruptedRun(items);
const totals = { interrupted: 0, finishedEarly: 0, rounds: 0, runs: 0 };
let failed = false;

for (let s = 0; s < Number(values.seeds); s++) {
  const seed = 20261128 + s;
  const pick = seeded(seed * 7);
  const kinds: Interruption[] = ["SIGKILL", "SIGKILL", "SIGTERM", "SIGINT"];
  const interruptions = Array.from({ length: rounds }, () => kinds[Math.floor(pick() * kinds.length)] ?? "SIGKILL");
  const report = await crashLoop({ items, interruptions, seed, maxDelayMs: 150 });
  const same = JSON.stringify(report.result) === JSON.stringify(reference.result) && report.lines.size === reference.lines.size;
  const problems = [...report.problems, ...(same ? [] : ["the final output differs from an uninterrupted run's"])];
  failed ||= problems.length > 0;
  for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += report[key];
  const sent = interruptions.slice(0, report.rounds);
  const counts = kinds.filter((k, i) => kinds.indexOf(k) === i).map((k) => `${k} ${sent.filter((x) => x === k).length}`).join(", ");
  console.log(`seed ${seed}: ${report.interrupted} interrupted (${counts}), ${report.rounds} rounds, ${report.runs} runs of ${reference.lines.size} steps and items — ${problems.length === 0 ? "all promises held" : problems.join("; ")}`);
}
console.log(
  `\n${totals.interrupted} interruptions survived in ${totals.rounds} rounds (${totals.finishedEarly} children finished first); ` +
    `${totals.runs} step and item runs; ${((performance.now() - started) / 1000).toFixed(0)} s. ${failed ? "FAILED" : "Every execution completed with the uninterrupted result."}`,
);
process.exitCode = failed ? 1 : 0;
