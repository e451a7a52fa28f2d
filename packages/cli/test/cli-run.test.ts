import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkpointFiles, COMMANDS, fixture, lines, resumeLine, runCli, shellWords, tempDir } from "./helpers.js";

const NO_STACK = "    at ";

/** A temp dir with the paths the two-steps fixture needs; `args` is the usual `run` command line. */
async function twoSteps() {
  const dir = await tempDir();
  const file = fixture("two-steps.yml");
  const log = join(dir, "log.txt");
  const marker = join(dir, "marker");
  const checkpoints = join(dir, "checkpoints");
  const args = ["run", file, "--registry", COMMANDS, "--param", `LOG=${log}`, "--param", `MARKER=${marker}`, "--checkpoint-dir", checkpoints];
  return { dir, file, log, marker, checkpoints, args };
}

/** The execution id of a checkpoint file name `<pipeline>_<id>.json`. */
function idOf(pipeline: string, fileName: string): string {
  expect(fileName.startsWith(`${pipeline}_`)).toBe(true);
  return basename(fileName, ".json").slice(pipeline.length + 1);
}

/** The summary row of a step: name, then status symbol and word. */
function summaryRow(name: string, status: string): RegExp {
  return new RegExp(`^ +${name} +. ${status}\\b`, "m");
}

describe("pipewright run: success", () => {
  it("exits 0, lists every step with its status, and points at the checkpoint under --checkpoint-dir", async () => {
    const t = await twoSteps();
    await writeFile(t.marker, "");

    const { code, out, err } = await runCli(t.args);

    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(/^ +first +✓ success +1 /m);
    expect(out).toMatch(/^ +second +✓ success +1 /m);
    expect(out).toContain("✓ succeeded cli-two-steps");
    expect(out).toContain("2 ok · 0 failed · 0 skipped");
    const files = await checkpointFiles(t.checkpoints);
    expect(files).toHaveLength(1);
    expect(out).toContain(`Checkpoint: ${join(t.checkpoints, files[0]!)}\n`);
    const saved = JSON.parse(await readFile(join(t.checkpoints, files[0]!), "utf8")) as { status: string };
    expect(saved.status).toBe("success");
    expect(await lines(t.log)).toEqual(["first", "second"]);
    expect(out).not.toContain("Resume with:");
  });

  it("shows a live log: a start line, each step's log lines and outcome, in order", async () => {
    const t = await twoSteps();
    await writeFile(t.marker, "");

    const { code, out } = await runCli(t.args);

    expect(code).toBe(0);
    const log = out.split("\n").filter((line) => /^\d\d:\d\d:\d\d /.test(line)).map((line) => line.slice(9));
    expect(log).toEqual([
      expect.stringMatching(/^▶ cli-two-steps \d{8}_\d{6} · 2 steps$/),
      "→ first",
      "  first │ recorded first",
      expect.stringMatching(/^✓ first \d/),
      "→ second",
      expect.stringMatching(/^✓ second \d/),
    ]);
  });
});

describe("pipewright run: failure and resume", () => {
  it("exits 1, prints the step's error and the exact command that resumes; that command skips the steps already done", async () => {
    const t = await twoSteps();

    const failed = await runCli(t.args);

    expect(failed.code).toBe(1);
    expect(failed.err).toContain(`Step second failed: marker file ${t.marker} is missing\n`);
    expect(failed.err).not.toContain(NO_STACK);
    expect(failed.out).toMatch(/^ +first +✓ success +1 /m);
    expect(failed.out).toMatch(/^ +second +✗ failed +1 /m);
    expect(failed.out).toContain("✗ failed cli-two-steps");
    expect(await lines(t.log)).toEqual(["first"]);
    const files = await checkpointFiles(t.checkpoints);
    expect(files).toHaveLength(1);
    const id = idOf("cli-two-steps", files[0]!);

    // The temp dir has a space in its name: the printed command must quote it for a shell.
    const line = resumeLine(failed.err);
    expect(line).toBeDefined();
    expect(line).toContain("'");
    const words = shellWords(line!);
    expect(words).toEqual(["pipewright", ...t.args, "--resume", id]);

    await writeFile(t.marker, "");
    const resumed = await runCli(words.slice(1));

    expect(resumed.err).toBe("");
    expect(resumed.code).toBe(0);
    expect(await lines(t.log)).toEqual(["first", "second"]); // `first` did not run again
    expect(resumed.out).toContain(`· resuming ${id}`);
    expect(resumed.out).toMatch(new RegExp(`↷ first done in ${id}, not run again`));
    expect(resumed.out).toMatch(/^ +first +✓ success +resumed /m);
    expect(resumed.out).toMatch(/^ +second +✓ success +1 /m);
    expect(await checkpointFiles(t.checkpoints)).toHaveLength(2);
  });

  it("--resume without an id resumes the latest execution of the pipeline", async () => {
    const t = await twoSteps();
    const older = await runCli(t.args);
    const newer = await runCli(t.args);
    expect([older.code, newer.code]).toEqual([1, 1]);
    const olderId = shellWords(resumeLine(older.err)!).at(-1);
    const newerId = shellWords(resumeLine(newer.err)!).at(-1);
    expect(newerId).toBeDefined();
    expect(newerId).not.toBe(olderId);

    await writeFile(t.marker, "");
    const resumed = await runCli([...t.args, "--resume"]);

    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain(`· resuming ${newerId}`);
    expect(resumed.out).toMatch(/^ +first +✓ success +resumed /m);
    expect(await lines(t.log)).toEqual(["first", "first", "second"]);
  });

  it("--resume with nothing to resume warns and starts fresh", async () => {
    const t = await twoSteps();
    await writeFile(t.marker, "");

    const { code, out } = await runCli([...t.args, "--resume"]);

    expect(code).toBe(0);
    expect(out).toContain('Nothing to resume: no checkpoint for pipeline "cli-two-steps"');
    expect(await lines(t.log)).toEqual(["first", "second"]);
  });

  it("--resume of a corrupt checkpoint exits 2 naming the file, runs nothing, and leaves the file for inspection", async () => {
    const t = await twoSteps();
    const failed = await runCli(t.args);
    const [file] = await checkpointFiles(t.checkpoints);
    const path = join(t.checkpoints, file!);
    await writeFile(path, "{ torn");
    await writeFile(t.marker, "");

    const { code, err } = await runCli([...t.args, "--resume"]);

    expect(failed.code).toBe(1);
    expect(code).toBe(2);
    expect(err).toContain(`Checkpoint ${path} is corrupt`);
    expect(err).not.toContain("    at ");
    expect(await lines(t.log)).toEqual(["first"]); // only the first, failed run
    expect(await readFile(path, "utf8")).toBe("{ torn");
  });

  it("--resume with an id that has no checkpoint warns and starts fresh", async () => {
    const t = await twoSteps();
    await writeFile(t.marker, "");

    const { code, out } = await runCli([...t.args, "--resume", "19990101_000000"]);

    expect(code).toBe(0);
    expect(out).toContain("Nothing to resume: no checkpoint with id 19990101_000000");
    expect(await lines(t.log)).toEqual(["first", "second"]);
  });
});

describe("pipewright run --rollback", () => {
  async function rollbackRun(extra: string[]) {
    const dir = await tempDir();
    const log = join(dir, "log.txt");
    const result = await runCli(["run", fixture("rollback.yml"), "-r", COMMANDS, "-p", `LOG=${log}`, "--checkpoint-dir", dir, ...extra]);
    return { ...result, log: await lines(log) };
  }

  it("runs the registry command named in the step's `rollback:` when a later step fails", async () => {
    const { code, out, err, log } = await rollbackRun(["--rollback"]);

    expect(code).toBe(1);
    expect(log).toEqual(["create", "undo create"]);
    expect(out).toMatch(/↶ create rolled back/);
    expect(out).toMatch(summaryRow("create", "rolled_back"));
    expect(out).toContain("1 rolled back");
    expect(err).toContain("Step explode failed: explode went boom");
    expect(shellWords(resumeLine(err)!)).toContain("--rollback");
  });

  it("leaves completed steps alone without --rollback", async () => {
    const { code, out, err, log } = await rollbackRun([]);

    expect(code).toBe(1);
    expect(log).toEqual(["create"]);
    expect(out).toMatch(summaryRow("create", "success"));
    expect(shellWords(resumeLine(err)!)).not.toContain("--rollback");
  });
});

describe("pipewright run --continue-on-error", () => {
  async function continueRun(extra: string[]) {
    const dir = await tempDir();
    const log = join(dir, "log.txt");
    const result = await runCli(["run", fixture("continue.yml"), "-r", COMMANDS, "-p", `LOG=${log}`, "--checkpoint-dir", dir, ...extra]);
    return { ...result, log: await lines(log) };
  }

  it("runs the steps after a failed one, and still exits 1", async () => {
    const { code, out, err, log } = await continueRun(["--continue-on-error"]);

    expect(code).toBe(1);
    expect(log).toEqual(["after"]);
    expect(out).toMatch(summaryRow("explode", "failed"));
    expect(out).toMatch(summaryRow("after", "success"));
    expect(err).toContain("Step explode failed: this step always fails");
    expect(shellWords(resumeLine(err)!)).toContain("--continue-on-error");
  });

  it("stops at the first failed step by default", async () => {
    const { code, out, err, log } = await continueRun([]);

    expect(code).toBe(1);
    expect(log).toEqual([]);
    expect(out).toMatch(summaryRow("after", "skipped"));
    expect(shellWords(resumeLine(err)!)).not.toContain("--continue-on-error");
  });
});

describe("pipewright run --param", () => {
  async function paramsRun(count: string) {
    const dir = await tempDir();
    const outFile = join(dir, "types.json");
    const result = await runCli(["run", fixture("params.yml"), "-r", COMMANDS, "--param", `COUNT=${count}`, "--param", `OUT=${outFile}`, "--checkpoint-dir", dir]);
    return { ...result, outFile };
  }

  it("substitutes ${KEY}; an unquoted placeholder takes the value's YAML type, a quoted one stays a string", async () => {
    const { code, err, outFile } = await paramsRun("3");

    expect(err).toBe("");
    expect(code).toBe(0);
    // check_types itself throws unless count is a number and label a string.
    expect(JSON.parse(await readFile(outFile, "utf8"))).toEqual({ count: 3, label: "3" });
  });

  it("keeps a value that is not a number a string (and the command sees it)", async () => {
    const { code, err, outFile } = await paramsRun("three");

    expect(code).toBe(1);
    expect(err).toContain('Step types failed: count should be a number, got string "three"');
    expect(existsSync(outFile)).toBe(false);
  });

  it("takes a value containing '=' whole", async () => {
    const dir = await tempDir();
    const outFile = join(dir, "a=b.json");
    const { code } = await runCli(["run", fixture("params.yml"), "-r", COMMANDS, "-p", "COUNT=1", "-p", `OUT=${outFile}`, "--checkpoint-dir", dir]);
    expect(code).toBe(0);
    expect(existsSync(outFile)).toBe(true);
  });
});

describe("pipewright run: invalid input exits 2 without a stack trace", () => {
  it("reports every problem in the YAML with file:line:column, and runs nothing", async () => {
    const dir = await tempDir();
    const file = fixture("invalid.yml");
    const checkpoints = join(dir, "checkpoints");

    const { code, out, err } = await runCli(["run", file, "-r", COMMANDS, "--checkpoint-dir", checkpoints]);

    expect(code).toBe(2);
    expect(err).toContain(`${file}:4:14: Unknown command: no_such_command`);
    expect(err).toContain(`${file}:5:5: unknown key "retries" in step "first"`);
    expect(err).toContain(`${file}:8:18: expected retry_count to be an integer ≥ 0, got "many"`);
    expect(err).toContain(`${file}:10:14: unset variable \${PIPEWRIGHT_CLI_TEST_UNSET}`);
    expect(err).not.toContain(NO_STACK);
    expect(out).toBe("");
    expect(existsSync(checkpoints)).toBe(false);
  });

  it("reports an unknown command with its location", async () => {
    const file = fixture("unknown-command.yml");
    const { code, err } = await runCli(["run", file, "-r", COMMANDS, "--checkpoint-dir", await tempDir()]);

    expect(code).toBe(2);
    expect(err).toMatch(new RegExp(`^error: ${escape(file)}:4:14: Unknown command: not_in_any_registry \\(known: .*\\bsucceed\\b`, "m"));
    expect(err).not.toContain(NO_STACK);
  });

  it("reports a YAML syntax error with its location", async () => {
    const file = fixture("broken.yml");
    const { code, err } = await runCli(["run", file, "-r", COMMANDS, "--checkpoint-dir", await tempDir()]);

    expect(code).toBe(2);
    expect(err).toContain(`${file}:5:1: invalid YAML`);
    expect(err).not.toContain(NO_STACK);
  });

  it("reports a pipeline file that does not exist", async () => {
    const dir = await tempDir();
    const file = join(dir, "nope.yml");
    const { code, err } = await runCli(["run", file, "--checkpoint-dir", dir]);

    expect(code).toBe(2);
    expect(err).toContain(`cannot read pipeline file ${file}`);
    expect(err).not.toContain(NO_STACK);
  });

  it("reports a registry module that does not exist", async () => {
    const dir = await tempDir();
    const missing = join(dir, "no-such-commands.ts");
    const { code, out, err } = await runCli(["run", fixture("two-steps.yml"), "--registry", missing, "--checkpoint-dir", dir]);

    expect(code).toBe(2);
    expect(err).toContain(`error: Cannot load registry module ${missing}`);
    expect(err).not.toContain(NO_STACK);
    expect(out).toBe("");
  });

  it("rejects --param without '='", async () => {
    const { code, err } = await runCli(["run", fixture("two-steps.yml"), "--param", "LOG", "--checkpoint-dir", await tempDir()]);

    expect(code).toBe(2);
    expect(err).toContain("Expected --param KEY=VALUE");
    expect(err).toContain("`LOG`");
    expect(err).not.toContain(NO_STACK);
  });

  it("rejects --param with an invalid key", async () => {
    const { code, err } = await runCli(["run", fixture("two-steps.yml"), "--param", "=value", "--checkpoint-dir", await tempDir()]);

    expect(code).toBe(2);
    expect(err).toContain("Expected --param KEY=VALUE");
  });

  it("rejects an unknown subcommand", async () => {
    const { code, err } = await runCli(["frobnicate", fixture("two-steps.yml")]);

    expect(code).toBe(2);
    expect(err).toContain("unknown command 'frobnicate'");
  });

  it("rejects an unknown option", async () => {
    const { code, err } = await runCli(["run", fixture("two-steps.yml"), "--bogus", "--checkpoint-dir", await tempDir()]);

    expect(code).toBe(2);
    expect(err).toContain("unknown option '--bogus'");
    expect(err).toContain("(run with --help for usage)");
  });

  it("rejects `run` without a file", async () => {
    const { code, err } = await runCli(["run"]);

    expect(code).toBe(2);
    expect(err).toContain("missing required argument 'file'");
  });

  it("exits 0 for --help and prints the options", async () => {
    const { code, out } = await runCli(["run", "--help"]);

    expect(code).toBe(0);
    expect(out).toContain("--resume [id]");
    expect(out).toContain("--checkpoint-dir <dir>");
  });
});

describe("pipewright run: the built-in exec command", () => {
  it("runs a program named in YAML and streams its stdout and stderr into the step's log lines", async () => {
    const dir = await tempDir();

    const { code, out, err } = await runCli(["run", fixture("exec.yml"), "--param", `NODE=${process.execPath}`, "--checkpoint-dir", dir]);

    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(/^\d\d:\d\d:\d\d {3}hello │ hello from exec$/m);
    expect(out).toMatch(/^\d\d:\d\d:\d\d {3}hello │ warning from exec$/m);
    // The log lines come between the step's start and its success.
    const started = out.indexOf("→ hello");
    const logged = out.indexOf("hello │ hello from exec");
    const succeeded = out.indexOf("✓ hello");
    expect(started).toBeGreaterThanOrEqual(0);
    expect(started).toBeLessThan(logged);
    expect(logged).toBeLessThan(succeeded);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
