import type { StepRecord } from "pipewright";
import { describe, expect, it } from "vitest";
import { layoutGraph, NODE_WIDTH } from "../src/report/graph-layout.js";
import { containersOf } from "../src/report/step-tree.js";
import { stepTiming } from "../src/report/step-times.js";
import { axisTicks, tickLabel } from "../src/report/time-axis.js";

describe("report parts", () => {
  it("places a step in its nested pipelines and parallel group, outermost first", () => {
    const chain = (name: string, group?: string) => containersOf({ name, group }).map((c) => `${c.kind}:${c.label}`);
    expect(chain("stage")).toEqual([]);
    expect(chain("histories", "analyses")).toEqual(["group:analyses"]);
    expect(chain("chip/load", "chip")).toEqual(["pipeline:chip"]);
    expect(chain("chip/h", "chip/grp")).toEqual(["pipeline:chip", "group:grp"]); // a group inside a nested pipeline
    expect(chain("sub/x", "analyses")).toEqual(["group:analyses", "pipeline:sub"]); // a nested pipeline inside a group
    expect(chain("a/b/x", "a/g")).toEqual(["pipeline:a", "group:g", "pipeline:b"]);
    expect(chain("a/b/x", "a/b")).toEqual(["pipeline:a", "pipeline:b"]);
  });

  it("splits a step's bar at each failed attempt's end, the last segment ending with the step", () => {
    const runStart = Date.parse("2026-01-01T00:00:00.000Z");
    const step = {
      status: "success",
      attempts: 3,
      startedAt: "2026-01-01T00:00:01.000Z",
      finishedAt: "2026-01-01T00:00:04.000Z",
      resumedFrom: undefined,
      attemptErrors: [
        { attempt: 1, error: "one", elapsedTime: 0.5 },
        { attempt: 2, error: "two", elapsedTime: 2 },
      ],
    } as unknown as StepRecord;

    expect(stepTiming(step, runStart, 10)?.segments).toEqual([
      { attempt: 1, start: 1, end: 1.5, outcome: "retried", error: "one" },
      { attempt: 2, start: 1.5, end: 3, outcome: "retried", error: "two" },
      { attempt: 3, start: 3, end: 4, outcome: "success", error: undefined },
    ]);
    // With the waits recorded, they show as gaps: attempt 2 starts 0.25 s after attempt 1 failed.
    const waits = step.attemptErrors.map((a) => ({ ...a, retryDelay: 0.25 }));
    expect(stepTiming({ ...step, attemptErrors: waits }, runStart, 10)?.segments.map((s) => [s.start, s.end])).toEqual([
      [1, 1.5],
      [1.75, 3],
      [3.25, 4],
    ]);
    expect(stepTiming({ ...step, resumedFrom: "old" }, runStart, 10)).toBeUndefined();
    expect(stepTiming({ ...step, finishedAt: undefined, attempts: 1, attemptErrors: [] }, runStart, 10)?.segments).toEqual([
      { attempt: 1, start: 1, end: 10, outcome: "running", error: undefined },
    ]);
  });

  it("puts ticks at round intervals and labels them as precisely as needed", () => {
    expect(axisTicks(2.1)).toEqual({ interval: 0.5, ticks: [0, 0.5, 1, 1.5, 2] });
    expect(axisTicks(0.05).interval).toBe(0.01);
    expect(axisTicks(3600).interval).toBe(600);
    expect([0, 0.25, 1.5].map((t) => tickLabel(t, 0.25))).toEqual(["0", "250 ms", "1.5 s"]);
    expect([45, 90, 3900].map((t) => tickLabel(t, 15))).toEqual(["45 s", "1:30", "1:05:00"]);
  });

  it("lays the graph out in columns by longest path, every edge pointing right, a chain on one line", () => {
    const step = (name: string, dependsOn: string[]) => ({ name, dependsOn, group: undefined });
    const layout = layoutGraph([step("a", []), step("b", ["a"]), step("c", ["a"]), step("d", ["b", "c"]), step("e", ["a", "d"])]);

    expect(layout.nodes.map((n) => n.layer)).toEqual([0, 1, 1, 2, 3]);
    expect(layout.edges).toHaveLength(6);
    for (const { from, to } of layout.edges) expect(layout.nodes[to]!.x).toBeGreaterThan(layout.nodes[from]!.x + NODE_WIDTH);
    expect(layout.nodes[3]!.y).toBe(layout.nodes[4]!.y);
    expect(layout.nodes[1]!.y).not.toBe(layout.nodes[2]!.y);
  });
});
