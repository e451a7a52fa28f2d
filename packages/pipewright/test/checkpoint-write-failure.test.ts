import * as fs from "node:fs/promises";
import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CheckpointError, CheckpointStore, Pipeline, type FileSystem } from "../src/index.js";
import { tempDir } from "./helpers.js";

/** A file system whose writes fail with `code` for the files `failOpen` picks when they are opened. */
function failingFileSystem(code: string, failOpen: (path: string) => boolean): FileSystem {
  const fail = () => Promise.reject(Object.assign(new Error(`${code}: simulated failure`), { code }));
  return {
    ...fs,
    open: async (...args: Parameters<typeof fs.open>) => {
      const handle = await fs.open(...args);
      if (!failOpen(String(args[0]))) return handle;
      const guarded = Object.create(handle) as fs.FileHandle;
      guarded.write = fail;
      guarded.writeFile = fail;
      return guarded;
    },
  };
}

/** Picks the `n`th file opened whose path ends with `suffix` (from 1), and every one after it. */
function fromNth(suffix: string, n: number): (path: string) => boolean {
  let seen = 0;
  return (path) => path.endsWith(suffix) && ++seen >= n;
}

describe("checkpoint write failures", () => {
  it("a full disk mid-run rejects with a CheckpointError that says what happened; the last good state stays readable", async () => {
    const dir = await tempDir();
    const ran: string[] = [];
    const pipeline = new Pipeline({ name: "disk-full", checkpointDir: dir });
    for (const name of ["a", "b", "c", "d"]) pipeline.addStep(name, () => void ran.push(name));

    // The first snapshot is written, then the disk is "full" when the journal is opened.
    const error = await pipeline.execute({ fileSystem: failingFileSystem("ENOSPC", fromNth(".journal", 1)) }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/Cannot write checkpoint journal .*disk-full_.*\.journal: ENOSPC/);
    expect(ran).toEqual(["a"]); // it stopped instead of running on without a record
    const [saved] = await new CheckpointStore(dir).list("disk-full");
    expect(saved?.record.steps.map((s) => s.status)).toEqual(["pending", "pending", "pending", "pending"]);
  });

  it("a failed compaction leaves the previous snapshot intact and no temporary file behind", async () => {
    const dir = await tempDir();
    const pipeline = new Pipeline({ name: "no-permission", checkpointDir: dir }).addStep("a", () => 1).addStep("b", () => 2);
    // The first snapshot and the journal go through; the final snapshot (the second .tmp file) does not.
    const error = await pipeline.execute({ fileSystem: failingFileSystem("EACCES", fromNth(".tmp", 2)) }).catch((e: unknown) => e);

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
