import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export interface Child {
  child: ChildProcess;
  /** Everything it wrote, for failure messages. */
  output(): string;
  /** Resolves with its exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals>;
}

/** `node --import tsx <fixture> ...args`; with `ready`, resolved once its output contains that text. */
export function spawnFixture(fixture: string, args: string[], env: Record<string, string>, ready?: string): Promise<Child> {
  const script = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const output = () => text;
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code ?? -1)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (ready !== undefined && text.includes(ready)) resolve({ child, output, exited });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", reject);
    if (ready === undefined) resolve({ child, output, exited });
    else void exited.then((how) => reject(new Error(`${fixture} exited (${how}) before it was ready:\n${text}`)));
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolved once it exited. */
export async function stop(child: Child): Promise<void> {
  if (child.child.exitCode !== null || child.child.signalCode !== null) return;
  child.child.kill("SIGTERM");
  const timer = setTimeout(() => child.child.kill("SIGKILL"), 5000);
  await child.exited;
  clearTimeout(timer);
}

/** The journal's lines (`<executionId> <item>`), parsed. */
export async function journalLines(file: string): Promise<Array<{ executionId: string; item: number }>> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [executionId = "", item = ""] = line.split(" ");
      return { executionId, item: Number(item) };
    });
}

/** Polls `condition` every 10 ms until it holds, or throws after `timeoutMs`. */
export async function waitFor(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
