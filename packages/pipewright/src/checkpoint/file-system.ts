import * as fsPromises from "node:fs/promises";

/**
 * The file operations checkpoints use. A seam: tests pass a version that fails on purpose
 * (no space, no permission) to prove a failed write never damages the previous checkpoint.
 */
export type FileSystem = Pick<
  typeof fsPromises,
  "open" | "readFile" | "readdir" | "rename" | "link" | "stat" | "mkdir" | "rm"
>;

export const nodeFileSystem: FileSystem = fsPromises;

/** Writes a whole file so that a crash leaves the old content or the new, never a mix: write, fsync, rename. */
export async function writeFileAtomic(fs: FileSystem, path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await fs.open(tmp, "w");
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, path);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

/** Like `writeFileAtomic`, but fails with EEXIST instead of replacing an existing file. */
export async function createFileAtomic(fs: FileSystem, path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await fs.open(tmp, "w");
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.link(tmp, path); // link, unlike rename, refuses to replace: two runs never share an id
  } finally {
    await fs.rm(tmp, { force: true });
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
