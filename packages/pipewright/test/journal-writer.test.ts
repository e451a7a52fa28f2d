import { describe, expect, it } from "vitest";
import type { FileSystem } from "../src/index.js";
import { JournalWriter } from "../src/checkpoint/journal-writer.js";

/** A file system whose file operations complete at once (no I/O between turns of the event loop). */
function instantFileSystem(written: string[]): FileSystem {
  const handle = {
    write: (text: string) => (written.push(text), Promise.resolve()),
    datasync: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { open: () => Promise.resolve(handle) } as unknown as FileSystem;
}

describe("journal writer", () => {
  it("keeps writing after a durable write took the lines a deferred write was waiting for", async () => {
    const written: string[] = [];
    const journal = new JournalWriter(instantFileSystem(written), "/journal");
    void journal.append("running\n", false); // deferred by a turn of the event loop
    await journal.append("done\n", true); // takes the deferred line with it
    await new Promise((resolve) => setImmediate(resolve)); // the deferred drain finds nothing to do
    const later = journal.append("next\n", true);
    const outcome = await Promise.race([later.then(() => "written"), new Promise((resolve) => setTimeout(() => resolve("stuck"), 200))]);
    expect(outcome).toBe("written");
    expect(written.join("")).toBe("running\ndone\nnext\n");
  });
});
