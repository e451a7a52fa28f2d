import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkpointText, executionFromJson } from "../src/checkpoint/checkpoint-format.js";
import type { ExecutionRecord, StepRecord } from "../src/checkpoint/execution-record.js";

const STATUSES = ["pending", "running", "success", "failed", "skipped", "cancelled", "rolled_back"] as const;
const text = fc.option(fc.string(), { nil: undefined });

const stepRecord: fc.Arbitrary<StepRecord> = fc.record({
  name: fc.string({ minLength: 1 }),
  status: fc.constantFrom(...STATUSES),
  command: fc.string(),
  fingerprint: fc.string(),
  checkpoint: fc.boolean(),
  attempts: fc.nat(),
  attemptErrors: fc.array(fc.record({ attempt: fc.nat(), error: fc.string(), elapsedTime: fc.double({ noNaN: true, noDefaultInfinity: true }) }), { maxLength: 3 }),
  startedAt: text,
  finishedAt: text,
  elapsedTime: fc.double({ noNaN: true, noDefaultInfinity: true }),
  error: text,
  output: fc.jsonValue() as fc.Arbitrary<StepRecord["output"]>,
  resumedFrom: text,
  skipReason: text,
  rollbackError: text,
  dependsOn: fc.array(fc.string(), { maxLength: 3 }),
  group: text,
});

function record(steps: StepRecord[]): ExecutionRecord {
  return {
    pipelineName: "p", executionId: "20261128_000000", status: "running", startedAt: "2026-11-28T00:00:00.000Z", finishedAt: undefined,
    totalTime: undefined, resumedFrom: undefined, description: undefined, params: {}, stopOnError: true, enableRollback: false,
    pid: 1, hostname: "h", origin: null, steps,
  };
}

describe("checkpoint format: the fast step reader", () => {
  it("reads back every generated step exactly as written", () => {
    fc.assert(
      fc.property(fc.array(stepRecord, { maxLength: 8 }), (steps) => {
        const written = JSON.parse([...checkpointText(record(steps))].join("")) as unknown;
        // -0 and 0 are the same in JSON.
        expect(JSON.parse(JSON.stringify(executionFromJson(written).steps))).toEqual(JSON.parse(JSON.stringify(steps)));
      }),
      { numRuns: 500 },
    );
  });

  it("leaves a step it does not accept to the schema, which names the field", () => {
    const written = JSON.parse([...checkpointText(record([]))].join("")) as Record<string, unknown>;
    const bad = (step: Record<string, unknown>) => () => executionFromJson({ ...written, steps: [{ name: "a", status: "success" }, step] });
    expect(bad({ name: "b", status: "weird" })).toThrow(/^steps\[1\]\.status: /);
    expect(bad({ name: "b", status: "success", attempts: 1.5 })).toThrow(/^steps\[1\]\.attempts: /);
    expect(bad({ name: "b", status: "success", attempt_errors: [{ attempt: 1, error: 2, elapsed_time: 0 }] })).toThrow(/^steps\[1\]\.attempt_errors\[0\]\.error: /);
    expect(bad({ name: "b", status: "success", depends_on: ["x", 3] })).toThrow(/^steps\[1\]\.depends_on\[1\]: /);
    expect(executionFromJson({ ...written, steps: [{ name: "a", status: "success" }] }).steps[0]).toMatchObject({ command: "", attempts: 0, checkpoint: true, output: null, dependsOn: [] });
  });
});
