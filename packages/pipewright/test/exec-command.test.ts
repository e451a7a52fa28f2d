import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ExecError, execCommand, type ExecArgs } from "../src/commands/exec.js";
import { writeFile } from "node:fs/promises";
import { PermanentError, ValidationError } from "../src/errors.js";
import { Pipeline } from "../src/pipeline.js";
import type { StepContext } from "../src/types.js";

// The Node running the tests: a program that exists everywhere the tests run.
const node = process.execPath;

function fakeContext(signal = new AbortController().signal) {
  const lines: string[] = [];
  const ctx: StepContext = {
    signal,
    attempt: 1,
    executionId: "exec-1",
    pipelineName: "pipeline",
    stepName: "step",
    outputs: {},
    params: {},
    log: (line) => lines.push(line),
    progress: () => {},
  };
  return { ctx, lines };
}

/** Runs `exec` with args as they come from YAML (not checked by the compiler). */
function exec(args: unknown, ctx = fakeContext().ctx) {
  return execCommand(args as ExecArgs, ctx);
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "pipewright-exec-")));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

/** Alive and not a zombie (an orphan may wait for a PID 1 that never reaps it). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return true; // no /proc (macOS): kill(pid, 0) is all we have
  }
}

async function waitFor(condition: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

describe("exec command", () => {
  it("streams stdout and stderr line by line, across chunks, and resolves with exit code 0", async () => {
    // Pauses between writes so that the parent receives separate chunks, splitting a line
    // and the two bytes of "é".
    const script = `
      const pause = () => new Promise((r) => setTimeout(r, 30));
      (async () => {
        process.stdout.write("one\\ntw"); await pause();
        process.stdout.write("o\\ncaf"); await pause();
        process.stdout.write(Buffer.from([0xc3])); await pause();
        process.stdout.write(Buffer.from([0xa9, 0x0a])); await pause();
        process.stderr.write("warning\\n"); await pause();
        process.stdout.write("last, no newline");
      })();`;
    const { ctx, lines } = fakeContext();
    await expect(exec({ argv: [node, "-e", script] }, ctx)).resolves.toEqual({ exitCode: 0 });
    expect(lines).toEqual(["one", "two", "café", "warning", "last, no newline"]);
  });

  it("fails with the exit code and the last lines of stderr", async () => {
    const script = `
      for (let i = 1; i <= 30; i++) console.error("err " + i);
      process.exit(3);`;
    const error = await rejection(exec({ argv: [node, "-e", script] }));
    expect(error).toBeInstanceOf(ExecError);
    expect(error).not.toBeInstanceOf(PermanentError); // a failed run may be worth a retry
    const { message, exitCode } = error as ExecError;
    expect(exitCode).toBe(3);
    expect(message).toMatch(/^exec: ".*node -e ' for .* process\.exit\(3\);'" exited with code 3\n/);
    expect(message).toContain("err 11\n");
    expect(message.endsWith("err 30")).toBe(true);
    expect(message).not.toContain("err 10\n");
  });

  it("reports a program killed by a signal", async () => {
    const error = await rejection(exec({ argv: [node, "-e", "process.kill(process.pid, 'SIGKILL')"] }));
    expect(error).toBeInstanceOf(ExecError);
    expect((error as ExecError).message).toMatch(/was killed by SIGKILL$/);
    expect((error as ExecError).exitCode).toBeNull();
  });

  it("passes arguments verbatim, without a shell", async () => {
    const dir = tempDir();
    const nasty = ["; rm -rf /", "$(touch pwned)", "`touch pwned2`", "a b", "*", "'\"", "é"];
    const { ctx, lines } = fakeContext();
    await exec(
      { argv: [node, "-e", "console.log(JSON.stringify(process.argv.slice(1)))", ...nasty], cwd: dir },
      ctx,
    );
    expect(JSON.parse(lines[0] ?? "")).toEqual(nasty);
    expect(existsSync(join(dir, "pwned"))).toBe(false);
    expect(existsSync(join(dir, "pwned2"))).toBe(false);
  });

  it("honours cwd and env, keeping the rest of the environment", async () => {
    const dir = tempDir();
    const script = "console.log(process.cwd()); console.log(process.env.PW_TEST); console.log(!!process.env.PATH)";
    const { ctx, lines } = fakeContext();
    await exec({ argv: [node, "-e", script], cwd: dir, env: { PW_TEST: "hello" } }, ctx);
    expect(lines).toEqual([dir, "hello", "true"]);
  });

  it("runs a command line through /bin/sh only with shell: true", async () => {
    const { ctx, lines } = fakeContext();
    await exec({ argv: ["printf 'a\\nb\\nc\\n' | wc -l | tr -d ' '; echo \"$PW_TEST\""], shell: true, env: { PW_TEST: "x" } }, ctx);
    expect(lines).toEqual(["3", "x"]);
  });

  it("does not wait for ever on a background process that keeps stdout open", async () => {
    const { ctx, lines } = fakeContext();
    const started = Date.now();
    await exec({ argv: ["sleep 10 & echo $!"], shell: true }, ctx);
    expect(Date.now() - started).toBeLessThan(3000);
    process.kill(Number(lines[0]), "SIGKILL");
  });

  it("fails permanently when the program does not exist", async () => {
    const error = await rejection(exec({ argv: ["pipewright-no-such-program", "x"] }));
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe(
      `exec: program "pipewright-no-such-program" not found (cwd ${process.cwd()})`,
    );
  });

  it("fails permanently when the working directory does not exist", async () => {
    const cwd = join(tempDir(), "missing");
    const error = await rejection(exec({ argv: [node, "-e", ""], cwd }));
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe(`exec: working directory "${cwd}" not found`);
  });

  it.each([
    [undefined, /args must be an object/],
    [{}, /"argv" must be a non-empty array of strings .*got nothing/],
    [{ argv: [] }, /"argv" must be a non-empty array .*got an empty array/],
    [{ argv: "ls -l" }, /"argv" must be a non-empty array .*got the string "ls -l"/],
    [{ argv: ["ls", 1] }, /"argv\[1\]" must be a string, got a number/],
    [{ argv: [""] }, /"argv\[0\]" \(the program\) must not be empty/],
    [{ argv: ["ls"], cwd: 1 }, /"cwd" must be a string, got a number/],
    [{ argv: ["ls"], env: ["A=1"] }, /"env" must be a map of strings, got an array/],
    [{ argv: ["ls"], env: { A: 1 } }, /"env.A" must be a string, got a number/],
    [{ argv: ["ls"], shell: "yes" }, /"shell" must be true or false/],
    [{ argv: ["ls", "-l"], shell: true }, /with "shell: true", "argv" must have exactly one element/],
    [{ argv: ["ls"], timeout: 5 }, /unknown arg "timeout"/],
  ])("rejects invalid args %j permanently", async (args, message) => {
    const error = await rejection(exec(args));
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/^exec: /);
    expect((error as Error).message).toMatch(message);
  });

  it("on abort, kills the program and its grandchildren, then rejects with the reason", async () => {
    // The grandchild ignores stdio, so that only a group kill (not the pipes) can end it.
    const script = `
      const { spawn } = require("node:child_process");
      const grandchild = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
      console.log(process.pid + " " + grandchild.pid);
      setInterval(() => {}, 1000);`;
    const controller = new AbortController();
    const { ctx, lines } = fakeContext(controller.signal);
    const running = exec({ argv: [node, "-e", script] }, ctx);
    expect(await waitFor(() => lines.length > 0)).toBe(true);
    const pids = (lines[0] ?? "").split(" ").map(Number);
    try {
      const reason = new Error("stop");
      controller.abort(reason);
      expect(await rejection(running)).toBe(reason);
      expect(await waitFor(() => !pids.some(isAlive))).toBe(true);
    } finally {
      for (const pid of pids) if (isAlive(pid)) process.kill(pid, "SIGKILL");
    }
  }, 6000);

  it("in a step with a timeout: the attempt fails with the timeout and the program is killed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pipewright-exec-timeout-"));
    const pidFile = join(dir, "pid");
    try {
      const script = `require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000);`;
      const pipeline = new Pipeline({ name: "exec-timeout", checkpointDir: dir }).addStep("slow", "exec", {
        args: { argv: [node, "-e", script] },
        timeout: 1,
      });
      const result = await pipeline.execute();
      expect(result.steps[0]).toMatchObject({ status: "failed", error: "timed out after 1 s" });
      const pid = Number(readFileSync(pidFile, "utf8"));
      expect(await waitFor(() => !isAlive(pid))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 8000);

  it("kills running programs and their children when this process exits without cancelling them", async () => {
    const fixture = fileURLToPath(new URL("./fixtures/exit-during-exec.ts", import.meta.url));
    const child = spawn(node, ["--import", "tsx", fixture], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const pids = out.trim().split(" ").map(Number);
    try {
      expect(code).toBe(130);
      expect(pids).toHaveLength(2);
      expect(await waitFor(() => !pids.some(isAlive))).toBe(true);
    } finally {
      for (const pid of pids) if (pid > 0 && isAlive(pid)) process.kill(pid, "SIGKILL");
    }
  }, 10_000);

  it("on abort, kills with SIGKILL a program that ignores SIGTERM", async () => {
    const script = `process.on("SIGTERM", () => console.log("ignored")); console.log(process.pid); setInterval(() => {}, 1000);`;
    const controller = new AbortController();
    const { ctx, lines } = fakeContext(controller.signal);
    const running = exec({ argv: [node, "-e", script] }, ctx);
    expect(await waitFor(() => lines.length > 0)).toBe(true);
    const pid = Number(lines[0]);
    try {
      controller.abort();
      const error = await rejection(running);
      expect((error as Error).name).toBe("AbortError");
      expect(lines).toContain("ignored");
      expect(isAlive(pid)).toBe(false);
    } finally {
      if (isAlive(pid)) process.kill(pid, "SIGKILL");
    }
  }, 6000);

  it("does not start the program when already cancelled", async () => {
    const controller = new AbortController();
    const reason = new Error("cancelled before start");
    controller.abort(reason);
    // Were it spawned, this program would write the file (and take a while to exit).
    const dir = tempDir();
    const script = "require('node:fs').writeFileSync('started', ''); setTimeout(() => {}, 200)";
    const started = Date.now();
    const error = await rejection(exec({ argv: [node, "-e", script], cwd: dir }, fakeContext(controller.signal).ctx));
    expect(error).toBe(reason);
    expect(Date.now() - started).toBeLessThan(100);
    await new Promise((resolve) => setTimeout(resolve, 150)); // time enough for a spawned node to write
    expect(existsSync(join(dir, "started"))).toBe(false);
  });
});

describe("exec args are checked when the step is defined", () => {
  it("in TypeScript: addStep throws, naming the step and the arg", () => {
    expect(() => new Pipeline({ name: "x" }).addStep("run", "exec", { args: { argv: [] } })).toThrow(
      /Step "run": exec: "argv" must be a non-empty array of strings/,
    );
  });

  it("in a rollback too: a registry rollback with bad args is reported when the step is added", () => {
    expect(() =>
      new Pipeline({ name: "x" }).addStep("make", () => null, { rollback: { command: "exec", args: { argv: "rm -rf out" } } }),
    ).toThrow(/Rollback of step "make": exec: "argv" must be a non-empty array of strings/);
  });

  it("in YAML: every bad exec step is reported at once, where it is written", async () => {
    const path = join(tempDir(), "p.yml");
    await writeFile(path, "name: p\nsteps:\n  - name: a\n    command: exec\n  - name: b\n    command: exec\n    kwargs: { argv: [echo, 1] }\n  - name: c\n    command: exec\n    kwargs: { argv: [ls], shell: yes }\n");
    const error = await Pipeline.fromYaml(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => [i.location?.line, i.message])).toEqual([
      [3, expect.stringMatching(/^Step "a": exec: "argv" must be a non-empty array/)],
      [5, expect.stringMatching(/^Step "b": exec: "argv\[1\]" must be a string, got a number/)],
      [8, expect.stringMatching(/^Step "c": exec: "shell" must be true or false/)],
    ]);
  });
});
