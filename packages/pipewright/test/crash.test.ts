import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CheckpointStore } from "../src/index.js";
import { seeded } from "./crash-loop.js";
import { tempDir } from "./helpers.js";

const CHILD = fileURLToPath(new URL("./fixtures/crash-child.ts", import.meta.url));
const MAP_CHILD = fileURLToPath(new URL("./fixtures/map-crash-child.ts", import.meta.url));
const ITEMS = 400;
const STEPS = 60;

async function lines(file: string): Promise<string[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.split("\n").filter(Boolean);
}

/** Starts the child; kills it with SIGKILL `delayMs` after it has run its first new step. */
function runChild(dir: string, output: string, killAfterMs: number | undefined, script = CHILD, size = STEPS): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, join(dir, "checkpoints"), output, String(size)], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
    if (killAfterMs === undefined) return;
    const start = Date.now();
    void lines(output).then((before) => {
      const poll = setInterval(() => {
        void lines(output).then((now) => {
          if (now.length > before.length || Date.now() - start > 10_000) {
            clearInterval(poll);
            setTimeout(() => child.kill("SIGKILL"), killAfterMs);
          }
        });
      }, 5);
      child.on("exit", () => clearInterval(poll));
    });
  });
}

describe("crash safety", () => {
  it("survives SIGKILL at random moments: the checkpoint always parses and no succeeded step runs again", async () => {
    const dir = await tempDir();
    const output = join(dir, "output.txt");
    const store = new CheckpointStore(join(dir, "checkpoints"));
    const random = seeded(20261128);
    let kills = 0;

    for (let round = 0; round < 12; round++) {
      const succeededBefore = new Set(
        (await store.list("crash-test"))[0]?.record.steps.filter((s) => s.status === "success").map((s) => s.name),
      );
      const linesBefore = (await lines(output)).length;
      const killAfter = round < 6 ? Math.floor(random() * 60) : undefined; // the last rounds run to the end
      const code = await runChild(dir, output, killAfter);
      if (code === null) kills++;

      const [latest] = await store.list("crash-test"); // parses the snapshot and its journal, or throws
      expect(latest).toBeDefined();
      const ranAgain = (await lines(output)).slice(linesBefore).filter((step) => succeededBefore.has(step));
      expect(ranAgain).toEqual([]);
      if (latest!.record.status === "success") break;
    }

    const [final] = await store.list("crash-test");
    expect(final?.record.status).toBe("success");
    expect(new Set(await lines(output))).toEqual(new Set(Array.from({ length: STEPS }, (_, i) => `step-${i}`)));
    expect(kills).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it("resumes a map step killed half way by running only the items not recorded as done", async () => {
    const dir = await tempDir();
    const output = join(dir, "output.txt");
    const store = new CheckpointStore(join(dir, "checkpoints"));
    const all = Array.from({ length: ITEMS }, (_, i) => `item-${i}`);

    // Killed 150 ms after its first item: part of the way through 400 items of ≥ 2 ms, 4 at a time.
    expect(await runChild(dir, output, 150, MAP_CHILD, ITEMS)).toBeNull();
    const ranBefore = await lines(output);
    const [killed] = await store.list("map-crash-test");
    const done = new Set(killed!.record.steps[0]!.items!.flatMap((item) => (item?.status === "success" ? [JSON.parse(item.key) as string] : [])));
    expect(done.size).toBeGreaterThan(0);
    expect(done.size).toBeLessThan(ITEMS);
    // An item is journaled after it ran: what the checkpoint holds ran, and at most a few more ran unrecorded.
    expect([...done].every((item) => ranBefore.includes(item))).toBe(true);

    expect(await runChild(dir, output, undefined, MAP_CHILD, ITEMS)).toBe(0);
    const ranAfter = (await lines(output)).slice(ranBefore.length);
    expect(ranAfter.sort()).toEqual(all.filter((item) => !done.has(item)).sort());
    const [final] = await store.list("map-crash-test");
    expect(final?.record.status).toBe("success");
    expect((final?.record.steps[0]?.output as { succeeded: number }).succeeded).toBe(ITEMS);
  }, 30_000);
});
