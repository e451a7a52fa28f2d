import { spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CheckpointStore } from "../src/index.js";

const CHILD = fileURLToPath(new URL("./fixtures/crash-loop-child.ts", import.meta.url));

/** How the loop interrupts the child: a kill, or a signal the pipeline handles by cancelling. */
export type Interruption = "SIGKILL" | "SIGTERM" | "SIGINT";

export interface CrashLoopOptions {
  items: number;
  /** The interruptions, in turn (seeded moments); the rounds after the last run to the end. */
  interruptions: readonly Interruption[];
  seed: number;
  /** The longest wait after the child's first output line before interrupting it. */
  maxDelayMs: number;
}

export interface CrashLoopReport {
  /** Children that were interrupted before they finished (killed, or cancelled by a signal). */
  interrupted: number;
  /** Children that finished before their interruption came. */
  finishedEarly: number;
  rounds: number;
  /** Lines of the output journal: every run of a step or an item. */
  runs: number;
  /** What broke a promise, one line per problem found; empty when all held. */
  problems: string[];
  result: unknown;
  lines: Set<string>;
}

/** A small seeded generator (mulberry32): the same interruption moments on every run. */
export function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, "utf8").catch(() => "")).split("\n").filter(Boolean);
}

/** Runs the child; `signal` is sent `delayMs` after the child's first new output line. Resolves with its exit code, or the signal that ended it. */
function runChild(dir: string, items: number, interruption?: { signal: Interruption; delayMs: number }): Promise<number | NodeJS.Signals> {
  const output = join(dir, "output.txt");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, join(dir, "checkpoints"), output, join(dir, "result.json"), String(items)], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(signal ?? code ?? -1));
    if (interruption === undefined) return;
    void lines(output).then((before) => {
      const poll = setInterval(() => {
        void lines(output).then((now) => {
          if (now.length === before.length) return;
          clearInterval(poll);
          setTimeout(() => child.kill(interruption.signal), interruption.delayMs);
        });
      }, 5);
      child.on("exit", () => clearInterval(poll));
    });
  });
}

/** One uninterrupted run, for the output the interrupted ones must end with. */
export async function uninterruptedRun(items: number): Promise<{ result: unknown; lines: Set<string> }> {
  const dir = await mkdtemp(join(tmpdir(), "crash-loop-reference-"));
  const code = await runChild(dir, items);
  if (code !== 0) throw new Error(`the uninterrupted run exited with ${String(code)}`);
  return { result: JSON.parse(await readFile(join(dir, "result.json"), "utf8")) as unknown, lines: new Set(await lines(join(dir, "output.txt"))) };
}

/**
 * Interrupts a real child process running the crash-loop pipeline at seeded moments, resuming it each
 * time, until an execution completes. After every round it checks the promises: the checkpoint parses;
 * no step or item recorded as succeeded before the round ran again; a graceful signal leaves a
 * checkpoint that says cancelled.
 */
export async function crashLoop(options: CrashLoopOptions): Promise<CrashLoopReport> {
  const dir = await mkdtemp(join(tmpdir(), "crash-loop-"));
  const output = join(dir, "output.txt");
  const store = new CheckpointStore(join(dir, "checkpoints"));
  const random = seeded(options.seed);
  const report: CrashLoopReport = { interrupted: 0, finishedEarly: 0, rounds: 0, runs: 0, problems: [], result: null, lines: new Set() };
  const latest = async () => (await store.list("crash-loop"))[0]?.record; // parses the snapshot and its journal, or throws

  for (let round = 0; ; round++) {
    if (round > options.interruptions.length + 5) {
      report.problems.push(`no execution completed after ${round} rounds`);
      break;
    }
    const before = await latest();
    const doneBefore = new Set<string>();
    for (const step of before?.steps ?? []) {
      if (step.status === "success") doneBefore.add(`step:${step.name}`);
      for (const item of step.items ?? []) if (item?.status === "success") doneBefore.add(`item:${JSON.parse(item.key) as number}`);
    }
    const linesBefore = (await lines(output)).length;
    const signal = options.interruptions[round];
    const ended = await runChild(dir, options.items, signal && { signal, delayMs: Math.floor(random() * options.maxDelayMs) });
    report.rounds++;

    let record;
    try {
      record = await latest();
    } catch (error) {
      report.problems.push(`round ${round}: the checkpoint does not parse: ${(error as Error).message}`);
      break;
    }
    const ranAgain = (await lines(output)).slice(linesBefore).filter((line) => doneBefore.has(line));
    if (ranAgain.length > 0) report.problems.push(`round ${round}: recorded as succeeded, ran again: ${ranAgain.join(", ")}`);
    if (signal !== undefined && ended !== 0) {
      report.interrupted++;
      const graceful = signal !== "SIGKILL";
      if (graceful && ended !== 130) report.problems.push(`round ${round}: ${signal} ended the child with ${String(ended)}, not 130`);
      if (graceful && record?.status !== "cancelled") report.problems.push(`round ${round}: after ${signal} the checkpoint says ${record?.status}, not cancelled`);
    } else if (signal !== undefined) {
      report.finishedEarly++;
    }
    if (record?.status === "success") break;
  }
  const all = await lines(output);
  report.runs = all.length;
  report.lines = new Set(all);
  report.result = JSON.parse(await readFile(join(dir, "result.json"), "utf8").catch(() => "null")) as unknown;
  return report;
}
