import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./fixtures/stage-child.ts", import.meta.url));

export interface KilledStaging {
  /** The files the child reported as staged or rejected before it was killed. */
  reported: Map<string, string>;
  /** null when the child was killed (it did not finish first). */
  exitCode: number | null;
}

/** Stages `rawRoot` in a child process and kills it with SIGKILL once it has reported `files` files. */
export function stageThenKill(rawRoot: string, stageRoot: string, files: number): Promise<KilledStaging> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, rawRoot, stageRoot], { stdio: ["ignore", "pipe", "inherit"] });
    const reported = new Map<string, string>();
    createInterface({ input: child.stdout }).on("line", (line) => {
      const [outcome = "", file = ""] = line.split("\t");
      reported.set(file, outcome);
      if (reported.size === files) child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ reported, exitCode: code }));
  });
}
