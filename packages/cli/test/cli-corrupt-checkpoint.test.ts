import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkpointFiles, COMMANDS, fixture, runCli, tempDir } from "./helpers.js";

describe("pipewright run --resume on a corrupt checkpoint", () => {
  it("stops with one message naming the file and --discard-checkpoint; with the flag, sets it aside and runs afresh", async () => {
    const dir = await tempDir();
    const checkpoints = join(dir, "cp");
    const marker = join(dir, "marker");
    await writeFile(marker, "");
    const args = ["run", fixture("two-steps.yml"), "-r", COMMANDS, "-p", `LOG=${join(dir, "log.txt")}`, "-p", `MARKER=${marker}`, "--checkpoint-dir", checkpoints];
    expect((await runCli(args)).code).toBe(0);
    const [file] = await checkpointFiles(checkpoints);
    const checkpoint = join(checkpoints, file!);
    await writeFile(checkpoint, '{"pipeline_name": "cli-two-steps", "execution_'); // as a disk failure might leave it

    const stopped = await runCli([...args, "--resume"]);
    expect(stopped.code).toBe(2);
    expect(stopped.err).toMatch(/^error: Checkpoint .* is corrupt \(.*\)\. .*run again with --discard-checkpoint .*; or delete the file\.\n$/);
    expect(stopped.err).toContain(checkpoint);
    expect(stopped.err).not.toContain("    at ");

    const afresh = await runCli([...args, "--resume", "--discard-checkpoint"]);
    expect(afresh.code).toBe(0);
    expect(afresh.out).toMatch(/Set aside corrupt checkpoint\(s\): .*\.corrupt-/);
    expect((await readdir(checkpoints)).filter((name) => name.includes(".corrupt-"))).toHaveLength(1);
  });
});
