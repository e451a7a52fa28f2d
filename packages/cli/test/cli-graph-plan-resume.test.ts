import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS, fixture, runCli, tempDir } from "./helpers.js";

describe("pipewright graph", () => {
  it("shows the graph by level in a terminal, with groups, map steps and conditions", async () => {
    const { code, out } = await runCli(["graph", fixture("graph.yml")]);
    expect(code).toBe(0);
    expect(out.split("\n")).toEqual([
      "cli-graph: 5 steps in 4 levels (a level's steps can run side by side)",
      "  1  list",
      "  2  stage [map]  ← list",
      "  3  histories    ← stage  (analyses)",
      '     say "hi"     ← stage  (analyses)',
      "  4  report       ← histories  if: ${{ params.REPORT != 'off' }}",
      "",
    ]);
  });

  it("writes Mermaid and DOT, groups as subgraphs and clusters, names escaped", async () => {
    const mermaid = (await runCli(["graph", fixture("graph.yml"), "--format", "mermaid"])).out;
    expect(mermaid).toContain("flowchart TD");
    expect(mermaid).toContain('s1[["stage (map)"]]');
    expect(mermaid).toContain('subgraph s2_group["analyses"]');
    expect(mermaid).toContain('s3["say #quot;hi#quot;"]');
    expect(mermaid).toContain("s2 --> s4");

    const dot = (await runCli(["graph", fixture("graph.yml"), "-f", "dot"])).out;
    expect(dot).toContain('digraph "cli-graph" {');
    expect(dot).toContain('label="analyses";');
    expect(dot).toContain('"stage" -> "say \\"hi\\"";');
  });

  it("reports a cycle instead of a graph", async () => {
    const file = join(await tempDir(), "cycle.yml");
    await writeFile(file, "name: c\nsteps:\n  - { name: a, command: x, depends_on: [b] }\n  - { name: b, command: y }\n");
    const { code, err } = await runCli(["graph", file]);
    expect(code).toBe(2);
    expect(err).toContain('Steps "a" → "b" → "a" form a cycle');
  });
});

describe("pipewright plan, run --dry-run and resume", () => {
  async function failedRun() {
    const dir = await tempDir();
    const params = ["-p", `LOG=${join(dir, "log.txt")}`, "-p", `MARKER=${join(dir, "marker")}`];
    const checkpoints = ["--checkpoint-dir", join(dir, "cp")];
    const first = await runCli(["run", fixture("two-steps.yml"), "-r", COMMANDS, ...params, ...checkpoints]);
    expect(first.code).toBe(1);
    return { dir, params, checkpoints };
  }

  it("plan says what resume would skip and run, and why, running nothing", async () => {
    const { params, checkpoints } = await failedRun();
    const { code, out } = await runCli(["plan", fixture("two-steps.yml"), "-r", COMMANDS, ...params, ...checkpoints]);
    expect(code).toBe(0);
    expect(out).toMatch(/Plan for cli-two-steps \(resuming \d{8}_\d{6}(_\d+)?; nothing has run\)/);
    expect(out).toMatch(/✓ skip {2}first {3}succeeded in \d{8}_\d{6}, unchanged/);
    expect(out).toMatch(/▶ run {3}second {2}failed in \d{8}_\d{6}: marker file .* is missing/);
    expect(out).toContain("1 step to run, 1 restored from the checkpoint");

    const dry = await runCli(["run", fixture("two-steps.yml"), "-r", COMMANDS, ...params, ...checkpoints, "--resume", "--dry-run"]);
    expect(dry.out).toBe(out);
  });

  it("plan tells a changed step from an unchanged one", async () => {
    const { params, checkpoints } = await failedRun();
    const changed = params.map((p) => (p.startsWith("LOG=") ? `${p}.other` : p)); // new args for both steps
    const { out } = await runCli(["plan", fixture("two-steps.yml"), "-r", COMMANDS, ...changed, ...checkpoints]);
    expect(out).toMatch(/▶ run {3}first {3}changed since \d{8}_\d{6}: its command, args or a step it depends on changed/);
  });

  it("plan needs the commands: their code is part of what resume compares", async () => {
    const { code, err } = await runCli(["plan", fixture("two-steps.yml"), "-p", "LOG=x", "-p", "MARKER=y"]);
    expect(code).toBe(2);
    expect(err).toContain("plan needs the commands (--registry)");
  });

  it("resume runs the newest execution again with the file and options it was run with", async () => {
    const { dir, checkpoints } = await failedRun();
    await writeFile(join(dir, "marker"), "");
    const { code, out } = await runCli(["resume", ...checkpoints]);
    expect(code).toBe(0);
    expect(out).toMatch(/↷ first .*not run again/);
    expect(out).toContain("✓ succeeded cli-two-steps");
  });

  it("resume names what it cannot find", async () => {
    const { checkpoints } = await failedRun();
    const { code, err } = await runCli(["resume", "19990101", ...checkpoints]);
    expect(code).toBe(2);
    expect(err).toMatch(/No execution "19990101" in .*cp.*; the latest are: \d{8}_\d{6}(_\d+)? \(cli-two-steps, failed\)/);
  });
});
