import { readdir } from "node:fs/promises";
import path from "node:path";
import { ValidationError } from "pipewright";

/** Every `*.csv` under `root`, absolute and sorted. */
export async function listRawFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") {
      throw new ValidationError(`raw folder ${root} does not exist (give --raw-root, or write demo data with \`process-and-analyze demo-data\`)`);
    }
    throw error;
  });
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith(".csv"))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
