import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { stageAll, type Catalogue, type StageAllSummary } from "../src/index.js";

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

/**
 * Stages `rawRoot` again after a kill, and checks it file by file: every file the killed run reported
 * staged is skipped now, and no file is staged twice. (A file recorded in the journal just before the
 * kill, but not yet reported, is skipped too: it was staged.)
 */
export async function resumeAfterKill(rawRoot: string, stageRoot: string, catalogue: Catalogue, killed: KilledStaging): Promise<{ summary: StageAllSummary; restagedReported: string[]; stagedBefore: number }> {
  const outcomes = new Map<string, string>();
  const summary = await stageAll({ rawRoot, stageRoot, catalogue, onFile: ({ path, outcome }) => outcomes.set(path, outcome) });
  const reportedStaged = [...killed.reported].filter(([, outcome]) => outcome === "staged").map(([file]) => file);
  return { summary, restagedReported: reportedStaged.filter((file) => outcomes.get(file) !== "skipped"), stagedBefore: reportedStaged.length };
}
