import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../../examples/typescript-api/pipeline.js";
import { tempDir } from "./helpers.js";

describe("the README's TypeScript example", () => {
  it("runs: stages, retries the flaky step, succeeds", async () => {
    const dir = await tempDir();
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const result = await main(join(dir, "data"), join(dir, "checkpoints"));
    log.mockRestore();
    expect(result.success).toBe(true);
    expect(result.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([
      ["stage-data", "success", 1],
      ["build-histories", "success", 2],
    ]);
    expect(result.steps[1]?.output).toEqual({ histories: 8 });
    expect(await readdir(join(dir, "data", "02_stage"))).toHaveLength(8);
  });
});
