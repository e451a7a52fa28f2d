import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { PermanentError } from "../errors.js";
import { shellQuote } from "../shell-quote.js";
import type { StepContext } from "../types.js";

/** Args of the built-in `exec` command, as written in YAML. */
export type ExecArgs = {
  /** Program then arguments. Passed as-is, never through a shell (unless `shell: true`). */
  argv: string[];
  /** Working directory of the program. @default the current directory */
  cwd?: string;
  /** Variables set on top of the current environment. */
  env?: Record<string, string>;
  /** Run `argv[0]`, the only element, as a command line through `/bin/sh -c`. @default false */
  shell?: boolean;
};

/** What a successful `exec` step outputs. Kept small: it ends up in checkpoints. */
export type ExecResult = { exitCode: number };

/** A program that ran but failed: non-zero exit code (`exitCode`) or killed by a signal (`signal`). */
export class ExecError extends Error {
  override name = "ExecError";
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
  ) {
    super(message);
  }
}

/** After SIGTERM, how long the process group gets before SIGKILL. */
const KILL_GRACE_MS = 2000;
/**
 * After the program exited, how long to wait for its stdout/stderr to close. A background
 * process it started may hold them open for ever; we stop listening rather than hang.
 */
const PIPE_GRACE_MS = 500;
const TAIL_LINES = 20;
const TAIL_CHARS = 4096;

const ARG_NAMES = ["argv", "cwd", "env", "shell"];

/**
 * The built-in `exec` command: runs a program, streams its output to the step log line by
 * line, and fails with its exit code and the end of its stderr when it does not exit with 0.
 */
export async function execCommand(args: ExecArgs, ctx: StepContext): Promise<ExecResult> {
  // Args come from YAML: check them at run time whatever their static type says.
  const checked = parseArgs(args);
  // Already cancelled: do not start anything.
  ctx.signal.throwIfAborted();
  await run(checked, ctx);
  // Cancelled while running: the process group is gone by now; report the cancellation itself.
  ctx.signal.throwIfAborted();
  return { exitCode: 0 };
}

/** Lets a pipeline with a bad `exec` step fail when it is defined, not half way through a run. */
execCommand.checkArgs = (args: Record<string, unknown>): string[] => {
  try {
    parseArgs(args);
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
};

/** Process groups of the programs running now. */
const runningGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * Detached programs outlive this process unless killed: when it exits without cancelling them
 * (a second Ctrl-C, `process.exit`), their groups are killed on the way out.
 */
function trackGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  if (!exitHookInstalled) {
    process.on("exit", killRunningGroups);
    exitHookInstalled = true;
  }
  runningGroups.add(pid);
}

function killRunningGroups(): void {
  for (const group of runningGroups) {
    try {
      process.kill(-group, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Resolves once the program exited with 0, or exited after being cancelled. */
function run(args: ExecArgs, ctx: StepContext): Promise<void> {
  const { signal } = ctx;
  const [program = "", ...rest] = args.shell ? ["/bin/sh", "-c", ...args.argv] : args.argv;

  return new Promise<void>((resolve, reject) => {
    // detached: the child leads its own process group, so that cancelling can kill the
    // whole group (grandchildren included) with one negative-pid kill.
    const child = spawn(program, rest, {
      cwd: args.cwd,
      env: { ...process.env, ...args.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    trackGroup(child.pid);

    const stderrTail: string[] = [];
    const stdout = lineSplitter((line) => ctx.log(line));
    const stderr = lineSplitter((line) => {
      ctx.log(line);
      stderrTail.push(line);
      if (stderrTail.length > TAIL_LINES) stderrTail.shift();
    });
    child.stdout.on("data", stdout.write);
    child.stderr.on("data", stderr.write);

    let killTimer: NodeJS.Timeout | undefined;
    let pipeTimer: NodeJS.Timeout | undefined;
    const closePipes = () => {
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const killGroup = (name: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, name);
      } catch {
        // ESRCH: every process of the group is already gone.
      }
    };
    const onAbort = () => {
      killGroup("SIGTERM");
      killTimer = setTimeout(() => {
        killGroup("SIGKILL");
        // A process that left the group may still hold the pipes; the step is over anyway.
        closePipes();
      }, KILL_GRACE_MS);
    };
    signal.addEventListener("abort", onAbort, { once: true });

    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      if (child.pid !== undefined) runningGroups.delete(child.pid);
      signal.removeEventListener("abort", onAbort);
      clearTimeout(killTimer);
      clearTimeout(pipeTimer);
      finish();
    };

    child.on("error", (error: NodeJS.ErrnoException) => {
      killGroup("SIGKILL");
      settle(() => reject(error.code === "ENOENT" ? notFound(args) : error));
    });
    child.on("exit", () => {
      // While cancelling, wait for the group to die instead (see onAbort).
      if (!signal.aborted) pipeTimer = setTimeout(closePipes, PIPE_GRACE_MS);
    });
    // "close" comes after "exit" and after stdout/stderr ended: all output has been logged.
    child.on("close", (code, killedBy) => {
      stdout.end();
      stderr.end();
      settle(() => {
        if (code === 0 || signal.aborted) resolve();
        else reject(exitError(args, code, killedBy, stderrTail));
      });
    });
  });
}

/** Calls `onLine` for each complete line; `end()` flushes a last line without newline. */
function lineSplitter(onLine: (line: string) => void) {
  // A streaming decoder keeps a multi-byte character split across chunks in one piece.
  const decoder = new StringDecoder("utf8");
  let partial = "";
  const push = (text: string) => {
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  };
  return {
    write: (chunk: Buffer) => push(decoder.write(chunk)),
    end: () => {
      push(decoder.end());
      if (partial !== "") onLine(partial);
      partial = "";
    },
  };
}

function parseArgs(args: unknown): ExecArgs {
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw invalid(`args must be an object like { argv: ["program", "arg"] }, got ${kind(args)}`);
  }
  const { argv, cwd, env, shell } = args as Record<string, unknown>;
  for (const name of Object.keys(args)) {
    if (!ARG_NAMES.includes(name)) {
      throw invalid(`unknown arg "${name}" (expected ${ARG_NAMES.join(", ")})`);
    }
  }
  if (!Array.isArray(argv) || argv.length === 0) {
    throw invalid(
      `"argv" must be a non-empty array of strings (program then arguments), got ${kind(argv)}`,
    );
  }
  argv.forEach((item: unknown, i) => {
    if (typeof item !== "string") throw invalid(`"argv[${i}]" must be a string, got ${kind(item)}`);
  });
  if (argv[0] === "") throw invalid(`"argv[0]" (the program) must not be empty`);
  if (cwd !== undefined && typeof cwd !== "string") {
    throw invalid(`"cwd" must be a string, got ${kind(cwd)}`);
  }
  if (env !== undefined) {
    if (typeof env !== "object" || env === null || Array.isArray(env)) {
      throw invalid(`"env" must be a map of strings, got ${kind(env)}`);
    }
    for (const [key, value] of Object.entries(env)) {
      if (typeof value !== "string") throw invalid(`"env.${key}" must be a string, got ${kind(value)}`);
    }
  }
  if (shell !== undefined && typeof shell !== "boolean") {
    throw invalid(`"shell" must be true or false, got ${kind(shell)}`);
  }
  if (shell === true && argv.length !== 1) {
    throw invalid(
      `with "shell: true", "argv" must have exactly one element (the command line), got ${argv.length}`,
    );
  }
  return args as ExecArgs;
}

function invalid(message: string): PermanentError {
  return new PermanentError(`exec: ${message}`);
}

function kind(value: unknown): string {
  if (value === null || value === undefined) return value === null ? "null" : "nothing";
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  return typeof value === "string" ? `the string ${JSON.stringify(value)}` : `a ${typeof value}`;
}

function notFound(args: ExecArgs): PermanentError {
  // spawn reports a missing working directory as ENOENT too; say which one is missing.
  if (args.cwd !== undefined && !existsSync(args.cwd)) {
    return new PermanentError(`exec: working directory "${args.cwd}" not found`);
  }
  const program = args.shell ? "/bin/sh" : (args.argv[0] ?? "");
  return new PermanentError(`exec: program "${program}" not found (cwd ${args.cwd ?? process.cwd()})`);
}

function exitError(
  args: ExecArgs,
  code: number | null,
  killedBy: NodeJS.Signals | null,
  stderrTail: string[],
): ExecError {
  const what = code !== null ? `exited with code ${code}` : `was killed by ${killedBy ?? "a signal"}`;
  const tail = stderrTail.join("\n").slice(-TAIL_CHARS);
  const message = `exec: "${describeCommand(args)}" ${what}${tail ? `\n${tail}` : ""}`;
  return new ExecError(message, code, killedBy);
}

/** The command for the first line of a message: shell-quoted where needed, on one line, not too long. */
function describeCommand(args: ExecArgs): string {
  const text = (args.shell ? (args.argv[0] ?? "") : args.argv.map(shellQuote).join(" ")).replace(/\s+/g, " ").trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
