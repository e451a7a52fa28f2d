import { access } from "node:fs/promises";

/** Whether something is at `path` (a file or a folder). */
export function fileExists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}
