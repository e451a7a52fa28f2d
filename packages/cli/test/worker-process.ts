import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startWorkerProcess, type WorkerProcess } from "@pipewright/distributed/testing";

export type { WorkerProcess };

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "pipewright.js");

/** `pipewright worker …args` in `cwd`, resolved once it says where it listens. */
export function startWorker(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  return startWorkerProcess(BIN, args, { cwd, env });
}
