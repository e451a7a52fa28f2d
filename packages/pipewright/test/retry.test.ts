import { describe, expect, it } from "vitest";
import { PermanentError, Pipeline, retryDelaySeconds } from "../src/index.js";
import { fakeClock, tempDir } from "./helpers.js";

function flaky(failures: number, message = "connection reset") {
  let calls = 0;
  return () => {
    calls += 1;
    if (calls <= failures) throw new Error(`${message} #${calls}`);
    return { calls };
  };
}

describe("retry with exponential backoff", () => {
  it("succeeds on the third attempt, waiting 1 s then 2 s", async () => {
    const clock = fakeClock();
    const pipeline = new Pipeline({ name: "flaky", checkpointDir: await tempDir() }).addStep("fetch", flaky(2), {
      retryCount: 3,
      retryDelay: 1,
      backoff: 2,
    });
    const retries: Array<{ attempt: number; delaySeconds: number }> = [];
    pipeline.on("stepRetrying", (e) => retries.push({ attempt: e.attempt, delaySeconds: e.delaySeconds }));

    const result = await pipeline.execute({ clock });

    expect(result.success).toBe(true);
    expect(result.steps[0]).toMatchObject({ status: "success", attempts: 3, output: { calls: 3 } });
    expect(clock.sleeps).toEqual([1000, 2000]);
    expect(retries).toEqual([
      { attempt: 2, delaySeconds: 1 },
      { attempt: 3, delaySeconds: 2 },
    ]);
    expect(result.steps[0]?.attemptErrors.map((a) => [a.attempt, a.error, a.retryDelay])).toEqual([
      [1, "connection reset #1", 1],
      [2, "connection reset #2", 2],
    ]);
  });

  it("makes at most retryCount + 1 attempts and records every error", async () => {
    const clock = fakeClock();
    const pipeline = new Pipeline({ name: "always-fails", checkpointDir: await tempDir() }).addStep("fetch", flaky(99), {
      retryCount: 2,
      retryDelay: 0.5,
      backoff: 3,
    });
    const result = await pipeline.execute({ clock });
    expect(result.success).toBe(false);
    expect(result.steps[0]).toMatchObject({ status: "failed", attempts: 3, error: "connection reset #3" });
    expect(result.steps[0]?.attemptErrors).toHaveLength(3);
    expect(clock.sleeps).toEqual([500, 1500]);
  });

  it("caps the wait at maxRetryDelay", async () => {
    const clock = fakeClock();
    const pipeline = new Pipeline({ name: "capped", checkpointDir: await tempDir() }).addStep("fetch", flaky(4), {
      retryCount: 4,
      retryDelay: 1,
      backoff: 10,
      maxRetryDelay: 30,
    });
    await pipeline.execute({ clock });
    expect(clock.sleeps).toEqual([1000, 10_000, 30_000, 30_000]);
  });

  it("does not retry a PermanentError", async () => {
    const clock = fakeClock();
    let calls = 0;
    const pipeline = new Pipeline({ name: "permanent", checkpointDir: await tempDir() }).addStep(
      "validate",
      () => {
        calls += 1;
        throw new PermanentError("schema mismatch");
      },
      { retryCount: 5 },
    );
    const result = await pipeline.execute({ clock });
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
    expect(result.steps[0]).toMatchObject({ status: "failed", attempts: 1, error: "schema mismatch" });
  });

  it("does not retry errors the shouldRetry predicate rejects", async () => {
    const clock = fakeClock();
    let calls = 0;
    const pipeline = new Pipeline({ name: "predicate", checkpointDir: await tempDir() }).addStep(
      "read",
      () => {
        calls += 1;
        throw Object.assign(new Error(calls === 1 ? "busy" : "missing file"), { code: calls === 1 ? "EBUSY" : "ENOENT" });
      },
      { retryCount: 5, shouldRetry: (error) => (error as { code?: string }).code !== "ENOENT" },
    );
    const result = await pipeline.execute({ clock });
    expect(calls).toBe(2);
    expect(result.steps[0]?.error).toBe("missing file");
  });

  it("jitter lowers each wait by at most its fraction", () => {
    const policy = { retryDelay: 4, backoff: 2, maxRetryDelay: Infinity, jitter: 0.5, shouldRetry: undefined };
    expect(retryDelaySeconds(policy, 2, () => 0)).toBe(8);
    expect(retryDelaySeconds(policy, 2, () => 0.999999)).toBeCloseTo(4, 4);
    expect(retryDelaySeconds({ ...policy, jitter: 0 }, 3, () => 0.7)).toBe(16);
  });

  it("a retry wait is cut short by cancellation", async () => {
    const controller = new AbortController();
    const pipeline = new Pipeline({ name: "cancel-wait", checkpointDir: await tempDir() }).addStep(
      "fetch",
      () => {
        setTimeout(() => controller.abort(new Error("user pressed Ctrl-C")), 10);
        throw new Error("down");
      },
      { retryCount: 3, retryDelay: 60 },
    );
    const started = Date.now();
    const result = await pipeline.execute({ signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.status).toBe("cancelled");
    expect(result.steps[0]?.attempts).toBe(1);
  });
});
