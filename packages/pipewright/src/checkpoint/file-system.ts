import * as fsPromises from "node:fs/promises";

/**
 * The file operations checkpoints use. A seam: tests pass a version that fails on purpose
 * (no space, no permission) to prove a failed write never damages the previous checkpoint.
 */
export type FileSystem = Pick<
  typeof fsPromises,
  "open" | "readFile" | "readdir" | "rename" | "link" | "stat" | "mkdir" | "rm" | "copyFile"
>;

export const nodeFileSystem: FileSystem = fsPromises;

/** Writes a whole file so that a crash leaves the old content or the new, never a mix: write, fsync, rename. */
export async function writeFileAtomic(fs: FileSystem, path: string, content: Iterable<string>): Promise<void> {
  await publishAtomically(fs, path, content, (tmp) => fs.rename(tmp, path));
}

/**
 * Creates a file with its whole content at once, failing with EEXIST if it exists. Not fsynced: the
 * caller syncs it (`syncFile`) before anything that depends on it is made durable.
 */
export async function createFileAtomic(fs: FileSystem, path: string, content: Iterable<string>): Promise<void> {
  // link, unlike rename, refuses to replace: two runs never share an execution id.
  await publishAtomically(fs, path, content, (tmp) => fs.link(tmp, path), { sync: false });
}

let tmpCounter = 0;

/**
 * Writes `content` (a string, or chunks of one: a large checkpoint never has to be one string in memory)
 * to a temporary file, fsyncs it, then `publish`es it; the temporary file never stays behind.
 */
async function publishAtomically(
  fs: FileSystem,
  path: string,
  content: Iterable<string>,
  publish: (tmp: string) => Promise<void>,
  { sync }: { sync: boolean } = { sync: true },
): Promise<void> {
  // Unique per call: two executions of one process may publish at the same moment.
  const tmp = `${path}.${process.pid}-${++tmpCounter}.tmp`;
  try {
    const handle = await fs.open(tmp, "w");
    try {
      if (typeof content === "string") await handle.writeFile(content);
      else for (const chunk of content) await handle.write(chunk);
      if (sync) await handle.sync();
    } finally {
      await handle.close();
    }
    await publish(tmp);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Makes a file's content survive a power loss. */
export async function syncFile(fs: FileSystem, path: string): Promise<void> {
  const handle = await fs.open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename or a new file in `dir` survive a power loss. */
export async function syncDirectory(fs: FileSystem, dir: string): Promise<void> {
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
