import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS, fixture, runCli, tempDir } from "./helpers.js";

/** The `file:line:column` of every problem line `validate` printed, in order. */
function locations(err: string, file: string): string[] {
  return err
    .split("\n")
    .filter((line) => line.startsWith(`${file}:`))
    .map((line) => line.slice(file.length + 1).split(": ")[0]!);
}

describe("pipewright validate", () => {
  it("reports every problem at once, each as file:line:column, and exits 2", async () => {
    const file = fixture("invalid.yml");

    const { code, out, err } = await runCli(["validate", file, "--registry", COMMANDS]);

    expect(code).toBe(2);
    expect(out).toBe("");
    expect(locations(err, file)).toEqual(["4:14", "5:5", "8:18", "10:14"]);
    expect(err).toContain(`${file}:4:14: error Unknown command: no_such_command`);
    expect(err).toContain(`${file}:5:5: error unknown key "retries" in step "first"`);
    expect(err).toContain(`${file}:8:18: error expected retry_count to be an integer ≥ 0, got "many"`);
    expect(err).toContain(`${file}:10:14: error unset variable \${PIPEWRIGHT_CLI_TEST_UNSET}`);
    expect(err).toContain(`4 problems in ${file}\n`);
    expect(err).not.toContain("    at ");
  });

  it("says when the file sends its steps to BullMQ workers, and reports executor: mistakes at their line", async () => {
    const dir = await tempDir();
    const file = join(dir, "workers.yml");
    const steps = "steps:\n  - name: a\n    command: record\n    kwargs: { file: log }\n";
    await writeFile(file, `name: w\nexecutor:\n  type: bullmq\n  queue: lab\n  prefix: optothermal\n${steps}`);
    const valid = await runCli(["validate", file, "--registry", COMMANDS]);
    expect(valid.out).toBe(`✓ ${file}: pipeline "w", 1 step, on BullMQ workers (queue lab, prefix optothermal)\n`);

    await writeFile(file, `name: w\nexecutor:\n  type: bullmq\n  password: hunter2\n${steps}`);
    const invalid = await runCli(["validate", file, "--registry", COMMANDS]);
    expect(invalid.code).toBe(2);
    expect(invalid.err).toContain(`${file}:4:3: error unknown key "password" in executor: pipeline files get shared, so the password goes in --password or $PIPEWRIGHT_REDIS_PASSWORD`);
  });

  it("reports unknown dependencies and cycles with their lines, even without --registry", async () => {
    const file = join(await tempDir(), "graph.yml");
    await writeFile(
      file,
      "name: g\nsteps:\n  - name: a\n    command: x\n    depends_on: [b]\n  - name: b\n    command: y\n  - name: c\n    command: z\n    depends_on: [bb, a]\n",
    );

    const { code, err } = await runCli(["validate", file]);

    expect(code).toBe(2);
    expect(err).toContain(`${file}:3:5: error Steps "a" → "b" → "a" form a cycle`);
    expect(err).toContain(`${file}:8:5: error Step "c" depends on "bb", which is not a step of this pipeline (did you mean "b"?)`);
  });

  it("with --registry, also reports args a command rejects (exec without argv), at the step", async () => {
    const file = join(await tempDir(), "exec.yml");
    await writeFile(file, "name: e\nsteps:\n  - name: ok\n    command: succeed\n  - name: run\n    command: exec\n    kwargs: { cwd: /tmp }\n");

    const { code, err } = await runCli(["validate", file, "--registry", COMMANDS]);

    expect(code).toBe(2);
    expect(err).toContain(`${file}:5:5: error Step "run": exec: "argv" must be a non-empty array of strings`);
  });

  it("exits 0 with ✓ and a one-line description for a valid file", async () => {
    const file = fixture("two-steps.yml");

    const { code, out, err } = await runCli(["validate", file, "-r", COMMANDS, "-p", "LOG=/tmp/log", "-p", "MARKER=/tmp/marker"]);

    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toBe(`✓ ${file}: pipeline "cli-two-steps", 2 steps\n`);
  });

  it("substitutes --param values before checking: without them, each unset ${VAR} is a problem", async () => {
    const file = fixture("two-steps.yml");

    const { code, err } = await runCli(["validate", file, "-r", COMMANDS]);

    expect(code).toBe(2);
    expect(locations(err, file)).toEqual(["7:13", "11:15", "12:13"]);
    expect(err).toContain(`${file}:11:15: error unset variable \${MARKER} (give it with --param MARKER=...`);
    expect(err).toContain(`3 problems in ${file}`);
  });

  it("without --registry does not check command names, and says so", async () => {
    const file = fixture("unknown-command.yml");

    const { code, out, err } = await runCli(["validate", file]);

    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain(`✓ ${file}: pipeline "cli-unknown-command", 1 step`);
    expect(out).toContain("command names not checked: no --registry given");
  });

  it("with --registry, reports an unknown command with its location and the known names", async () => {
    const file = fixture("unknown-command.yml");

    const { code, out, err } = await runCli(["validate", file, "--registry", COMMANDS]);

    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(/:4:14: error Unknown command: not_in_any_registry \(known: .*\bsucceed\b.*\bexec\b/);
    expect(err).toContain(`1 problem in ${file}`);
  });

  it("without --registry still reports every other problem", async () => {
    const file = fixture("invalid.yml");

    const { code, err } = await runCli(["validate", file]);

    expect(code).toBe(2);
    expect(locations(err, file)).toEqual(["5:5", "8:18", "10:14"]);
    expect(err).not.toContain("Unknown command");
  });

  it("reports a YAML syntax error with its location", async () => {
    const file = fixture("broken.yml");

    const { code, err } = await runCli(["validate", file]);

    expect(code).toBe(2);
    expect(err).toContain(`${file}:5:1: error invalid YAML`);
    expect(err).not.toContain("    at ");
  });

  it("exits 2 for a file that does not exist", async () => {
    const file = join(await tempDir(), "missing.yml");

    const { code, err } = await runCli(["validate", file]);

    expect(code).toBe(2);
    expect(err).toContain(`cannot read pipeline file ${file}`);
  });

  it("exits 2 for a registry module that does not exist", async () => {
    const missing = join(await tempDir(), "nope.ts");

    const { code, err } = await runCli(["validate", fixture("unknown-command.yml"), "-r", missing]);

    expect(code).toBe(2);
    expect(err).toContain(`Cannot load registry module ${missing}`);
    expect(err).not.toContain("    at ");
  });
});
