import type { Colors } from "../output.js";
import { listen, type EventSource } from "./listen.js";
import { count } from "./progress-bar.js";

/**
 * Remembers where each map step's items ended (its last `stepProgress`), for the summary table:
 * "1,000/1,000 items · 3 failed".
 */
export function trackItems(source: EventSource): { notes(c: Colors): Map<string, string>; stop(): void } {
  const mapSteps = new Set<string>();
  const last = new Map<string, { done: number; total: number | undefined; failed: number }>();
  const stop = listen(source, {
    pipelineStarted: (e) => e.graph.forEach((node) => node.kind === "map" && mapSteps.add(node.name)),
    stepProgress: (e) => {
      if (mapSteps.has(e.step)) last.set(e.step, { done: e.done, total: e.total, failed: e.failed ?? 0 });
    },
  });
  const notes = (c: Colors) =>
    new Map(
      [...last].map(([step, p]) => [
        step,
        c.dim(`${count(p.done)}${p.total === undefined ? "" : `/${count(p.total)}`} items`) + (p.failed ? c.red(` · ${count(p.failed)} failed`) : ""),
      ]),
    );
  return { notes, stop };
}
