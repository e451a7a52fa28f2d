import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "pipewright.js");

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node bin/pipewright.js worker …` in `cwd`, resolved once it says where it listens. */
export function startWorker(args: readonly string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  const child = spawn(process.execPath, [BIN, "worker", ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const output = () => text;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      if (text.includes(" listening on ")) resolve({ child, output, exited });
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    void exited.then(({ code, signal }) => reject(new Error(`the worker exited (${code ?? signal}) before it was ready:\n${text}`)));
    child.once("error", reject);
    setTimeout(() => reject(new Error(`the worker was not ready within 15 s:\n${text}`)), 15_000).unref();
  });
}
