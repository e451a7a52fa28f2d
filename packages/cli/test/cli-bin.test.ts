import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkpointFiles, COMMANDS, fixture, lines, resumeLine, shellWords, tempDir } from "./helpers.js";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "pipewright.js");

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** Starts `node bin/pipewright.js ...args` in `cwd` (never the repository), without colours. */
function startBin(args: readonly string[], cwd: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, out, err }));
  });
  return { child, exited };
}

/** Resolves once `ready()` is true; rejects after `ms`, or when `exited` settles first (the child died early). */
async function waitFor(ready: () => boolean, exited: Promise<Exit>, ms: number): Promise<void> {
  let done: Exit | undefined;
  void exited.then((exit) => (done = exit));
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (done) throw new Error(`the CLI exited (${done.code}) before it was ready:\n${done.out}\n${done.err}`);
    if (Date.now() > deadline) throw new Error(`not ready within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("the pipewright bin (no build step)", () => {
  it("runs a YAML pipeline with a TypeScript registry: exit 0 and the summary", { timeout: 10_000 }, async () => {
    const dir = await tempDir();
    const log = join(dir, "log.txt");
    const marker = join(dir, "marker");
    await writeFile(marker, "");

    const { code, out, err } = await startBin(
      ["run", fixture("two-steps.yml"), "--registry", COMMANDS, "-p", `LOG=${log}`, "-p", `MARKER=${marker}`, "--checkpoint-dir", join(dir, "cp")],
      dir,
    ).exited;

    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("✓ succeeded cli-two-steps");
    expect(out).toMatch(/^ +second +✓ success +1 /m);
    expect(out).toContain(`Checkpoint: ${join(dir, "cp")}`);
    expect(out).not.toContain("\u001b["); // no colours on a pipe
    expect(await lines(log)).toEqual(["first", "second"]);
  });

  it("loads a TypeScript registry that lives outside any ESM package, as a user's would", { timeout: 10_000 }, async () => {
    const dir = await tempDir(); // no package.json here or above it with "type": "module"
    await writeFile(join(dir, "commands.ts"), `export function greet(args: { name: string }): string {\n  return \`hello \${args.name}\`;\n}\n`);
    await writeFile(join(dir, "p.yml"), "name: outside\nsteps:\n  - name: hi\n    command: greet\n    kwargs: { name: lab }\n");

    const { code, out, err } = await startBin(["run", "p.yml", "--registry", "./commands.ts"], dir).exited;

    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("✓ succeeded outside");
  });

  it("exits 1 when a step fails and 2 for an invalid file", { timeout: 10_000 }, async () => {
    const dir = await tempDir();
    // No --checkpoint-dir: the default is data/.pipeline_checkpoints under the working directory (a temp dir here).
    const failing = startBin(["run", fixture("rollback.yml"), "-r", COMMANDS, "-p", `LOG=${join(dir, "log.txt")}`], dir);
    const invalid = startBin(["validate", fixture("invalid.yml"), "-r", COMMANDS], dir);

    const failed = await failing.exited;
    expect(failed.code).toBe(1);
    expect(failed.err).toContain("Step explode failed: explode went boom");
    const files = await checkpointFiles(join(dir, "data", ".pipeline_checkpoints"));
    expect(files).toHaveLength(1);
    expect(failed.out).toContain(`Checkpoint: ${join(dir, "data", ".pipeline_checkpoints", files[0]!)}`);
    // The default directory is not repeated in the resume command.
    const words = shellWords(resumeLine(failed.err)!);
    expect(words.slice(0, 3)).toEqual(["pipewright", "run", fixture("rollback.yml")]);
    expect(words).not.toContain("--checkpoint-dir");
    expect(words.slice(-2)).toEqual(["--resume", files[0]!.slice("cli-rollback_".length, -".json".length)]);

    const rejected = await invalid.exited;
    expect(rejected.code).toBe(2);
    expect(rejected.err).toContain(`${fixture("invalid.yml")}:4:14: error Unknown command: no_such_command`);
    expect(rejected.err).not.toContain("    at ");
  });

  it("on SIGINT cancels the running step, saves a cancelled checkpoint, prints how to resume and exits 130; that command resumes it", { timeout: 20_000 }, async () => {
    const dir = await tempDir();
    const started = join(dir, "started");
    const checkpoints = join(dir, "cp");
    const { child, exited } = startBin(
      ["run", fixture("wait.yml"), "-r", COMMANDS, "-p", `STARTED=${started}`, "--checkpoint-dir", checkpoints],
      dir,
    );
    try {
      await waitFor(() => existsSync(started), exited, 8_000);
      child.kill("SIGINT");
      const { code, signal, out, err } = await exited;

      expect(signal).toBeNull();
      expect(code).toBe(130);
      expect(err).toContain("SIGINT: stopping");
      const files = await checkpointFiles(checkpoints);
      expect(files).toHaveLength(1);
      const text = await readFile(join(checkpoints, files[0]!), "utf8");
      expect(text).toContain('"status": "cancelled"');
      const saved = JSON.parse(text) as { execution_id: string; steps: { name: string; status: string; error: string | null }[] };
      expect(saved.steps.map((s) => [s.name, s.status])).toEqual([
        ["before", "success"],
        ["wait", "cancelled"],
        ["after", "skipped"],
      ]);
      expect(saved.steps[1]?.error).toContain("interrupted by SIGINT");
      expect(out + err).toContain("Resume with:");
      expect(shellWords(resumeLine(err)!).slice(-2)).toEqual(["--resume", saved.execution_id]);
      expect(out).toContain("✗ cancelled cli-wait");

      // The printed command resumes it: "before" is not run again, the rest completes.
      const resumed = await startBin(shellWords(resumeLine(err)!).slice(1), dir).exited;
      expect(resumed.code).toBe(0);
      expect(resumed.out).toMatch(/↷ before .*not run again/);
      expect(resumed.out).toContain("✓ succeeded cli-wait");
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});
