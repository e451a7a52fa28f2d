import * as fs from "node:fs/promises";
import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CheckpointError, CheckpointStore, Pipeline, type FileSystem } from "../src/index.js";
import { tempDir } from "./helpers.js";

/** A file system whose writes start failing with `code` once `allowedWrites` have gone through. */
function failingFileSystem(code: string, allowedWrites: number): FileSystem {
  let writes = 0;
  const fail = () => Object.assign(new Error(`${code}: simulated failure`), { code });
  return {
    ...fs,
    open: async (...args: Parameters<typeof fs.open>) => {
      const handle = await fs.open(...args);
      const guarded = Object.create(handle) as fs.FileHandle;
      guarded.write = ((...a: Parameters<fs.FileHandle["write"]>) =>
        ++writes > allowedWrites ? Promise.reject(fail()) : handle.write(...a)) as fs.FileHandle["write"];
      guarded.writeFile = (...a: Parameters<fs.FileHandle["writeFile"]>) =>
        ++writes > allowedWrites ? Promise.reject(fail()) : handle.writeFile(...a);
      return guarded;
    },
  };
}

describe("checkpoint write failures", () => {
  it("a full disk mid-run rejects with a CheckpointError that says what happened; the last good state stays readable", async () => {
    const dir = await tempDir();
    const ran: string[] = [];
    const pipeline = new Pipeline({ name: "disk-full", checkpointDir: dir });
    for (const name of ["a", "b", "c", "d"]) pipeline.addStep(name, () => void ran.push(name));

    // The first snapshot and a few journal lines are written, then the disk is "full".
    const error = await pipeline.execute({ fileSystem: failingFileSystem("ENOSPC", 3) }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/Cannot write checkpoint journal .*disk-full_.*\.journal: ENOSPC/);
    expect(ran.length).toBeLessThan(4); // it stopped instead of running on without a record
    const [saved] = await new CheckpointStore(dir).list("disk-full");
    expect(saved?.record.steps.map((s) => s.status)[0]).toBe("success");
  });

  it("a failed compaction leaves the previous snapshot intact and no temporary file behind", async () => {
    const dir = await tempDir();
    const pipeline = new Pipeline({ name: "no-permission", checkpointDir: dir }).addStep("a", () => 1).addStep("b", () => 2);
    // Snapshot (1 write) and two journal lines per step go through; the final snapshot does not.
    const error = await pipeline.execute({ fileSystem: failingFileSystem("EACCES", 5) }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/Cannot write checkpoint .*no-permission_.*\.json: EACCES/);
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const snapshot = files.find((f) => f.endsWith(".json"))!;
    expect(JSON.parse(await readFile(`${dir}/${snapshot}`, "utf8"))).toMatchObject({ status: "running" });
    // The journal still has both steps: nothing recorded was lost.
    const [saved] = await new CheckpointStore(dir).list("no-permission");
    expect(saved?.record.steps.map((s) => s.status)).toEqual(["success", "success"]);
  });
});
