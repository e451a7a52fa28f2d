import { expect, it } from "vitest";
import { Pipeline, type ExecuteOptions, type Executor, type PipelineResult } from "pipewright";
import { registry } from "./fixtures/registry.js";

/** An executor to test, and how to release what it holds. */
export interface ExecutorUnderTest {
  executor: Executor;
  close(): Promise<void>;
}

/**
 * What the engine promises whatever the executor: written once, run against the local executor and
 * against `BullMqExecutor`, so that a difference between them fails a test.
 */
export function executorCases(setup: () => Promise<ExecutorUnderTest>): void {
  const run = async (pipeline: Pipeline, options: ExecuteOptions = {}): Promise<PipelineResult> => {
    const under = await setup();
    try {
      return await pipeline.execute({ executor: under.executor, checkpoint: false, concurrency: 8, ...options });
    } finally {
      await under.close();
    }
  };
  const pipeline = () => new Pipeline({ name: "cases", registry });

  it("retries a command that fails twice, then succeeds (retryCount 2)", async () => {
    const result = await run(pipeline().addStep("flaky", "flaky", { args: { failures: 2 }, retryCount: 2, retryDelay: 0.01 }));
    const step = result.steps[0];
    expect(result.status).toBe("success");
    expect(step?.attempts).toBe(3);
    expect(step?.output).toEqual({ attempt: 3 });
    expect(step?.attemptErrors.map((e) => e.error)).toEqual(["flaky failure on attempt 1", "flaky failure on attempt 2"]);
  });

  it("fails after the last retry with the command's error", async () => {
    const result = await run(pipeline().addStep("flaky", "flaky", { args: { failures: 5 }, retryCount: 1, retryDelay: 0.01 }));
    expect(result.status).toBe("failed");
    expect(result.steps[0]?.attempts).toBe(2);
    expect(result.steps[0]?.error).toBe("flaky failure on attempt 2");
  });

  it("times out each attempt on its own", async () => {
    const result = await run(pipeline().addStep("slow", "slow", { args: { ms: 10_000 }, timeout: 0.3, retryCount: 1, retryDelay: 0.01 }));
    const step = result.steps[0];
    expect(result.status).toBe("failed");
    expect(step?.attempts).toBe(2);
    expect(step?.error).toBe("timed out after 0.3 s");
    expect(step?.elapsedTime).toBeLessThan(5);
  });

  it("does not retry a PermanentError", async () => {
    const result = await run(pipeline().addStep("permanent", "permanent", { retryCount: 3, retryDelay: 0.01 }));
    expect(result.status).toBe("failed");
    expect(result.steps[0]?.attempts).toBe(1);
    expect(result.steps[0]?.error).toBe("the input is missing");
  });

  it("words errors of other classes the same way", async () => {
    const result = await run(pipeline().addStep("type", "type_error"));
    expect(result.steps[0]?.error).toBe("TypeError: not a function");
  });

  it("lets map items fail within allowedFailures, and fails the step beyond", async () => {
    const items = Array.from({ length: 30 }, (_, i) => i); // 0, 7, 14, 21, 28 fail
    const within = await run(pipeline().addMapStep("items", { command: "some_fail", items, allowedFailures: 5, retryCount: 1, retryDelay: 0.01 }));
    expect(within.status).toBe("success");
    expect(within.steps[0]?.output).toMatchObject({ total: 30, succeeded: 25, failed: 5 });
    expect((within.steps[0]?.output as { outputs: unknown[] }).outputs.slice(0, 8)).toEqual([null, 1, 2, 3, 4, 5, 6, null]);

    const beyond = await run(pipeline().addMapStep("items", { command: "some_fail", items, allowedFailures: 4, concurrency: 1 }));
    expect(beyond.status).toBe("failed");
    expect(beyond.steps[0]?.error).toMatch(/^5 of 30 items failed \(allowed: 4\), the rest did not run: item 0 \(0\): item 0 is divisible by 7/);
  });
}
