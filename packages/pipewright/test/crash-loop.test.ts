import { describe, expect, it } from "vitest";
import { crashLoop, uninterruptedRun, type Interruption } from "./crash-loop.js";

const ITEMS = 120;

describe("crash loop: a real child process interrupted at seeded moments, resumed until it completes", () => {
  it.each<[Interruption, number]>([
    ["SIGKILL", 8],
    ["SIGTERM", 3],
    ["SIGINT", 3],
  ])("%s × %i: no succeeded step or item runs again, every one runs, and the result equals an uninterrupted run's", async (signal, times) => {
    const reference = await uninterruptedRun(ITEMS);
    const report = await crashLoop({ items: ITEMS, interruptions: Array<Interruption>(times).fill(signal), seed: 20261128 + times, maxDelayMs: 150 });
    console.info(`crash loop ${signal}: ${report.interrupted} interrupted, ${report.finishedEarly} finished first, ${report.rounds} rounds, ${report.runs} step/item runs (${reference.lines.size} distinct)`);
    expect(report.problems).toEqual([]);
    expect(report.interrupted).toBeGreaterThanOrEqual(Math.ceil(times / 2));
    expect(report.lines).toEqual(reference.lines);
    expect(report.result).toEqual(reference.result);
  }, 120_000);
});
