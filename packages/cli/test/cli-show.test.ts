import { Pipeline } from "pipewright";
import { describe, expect, it } from "vitest";
import { clockAt, markCrashed, recordExecutions } from "./executions.js";
import { runCli, tempDir } from "./helpers.js";

/** The lines of `out` from the one starting with `first` (trimmed), `count` of them. */
function linesFrom(out: string, first: string, count: number): string[] {
  const lines = out.split("\n");
  const start = lines.findIndex((line) => line.trim().startsWith(first));
  expect(start, `no line starts with ${first}`).toBeGreaterThanOrEqual(0);
  return lines.slice(start, start + count);
}

describe("pipewright show", () => {
  it("shows every step: status, attempts, start, duration, errors, outputs, map items, nested steps indented", async () => {
    const dir = await tempDir();
    const { labCancelled: lab } = await recordExecutions(dir);

    const { code, out, err } = await runCli(["show", lab.executionId, "--checkpoint-dir", dir]);

    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^lab ${lab.executionId} {2}■ cancelled\\n {2}started +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d · took \\d+\\.\\d\\ds · pid ${process.pid} on `));
    expect(out).toContain(`  file     ${lab.checkpointPath}\n`);
    expect(out).toMatch(/^ {2}step +status +attempts +started +duration$/m);
    expect(linesFrom(out, "prepare", 2)).toEqual([
      expect.stringMatching(/^ {2}prepare +✓ success +1 +\d\d:\d\d:\d\d +\d\.\d\ds$/),
      expect.stringMatching(/^ {4}output: \{"note":"x{80,}…$/),
    ]);
    expect(linesFrom(out, "stage", 3)).toEqual([
      expect.stringMatching(/^ {2}stage +✓ success +1 /),
      "    items: 3 ok · 1 failed · 0 not run (4 in all)",
      "    item 2: c.csv is unreadable",
    ]);
    expect(linesFrom(out, "chip/", 6)).toEqual([
      "  chip/",
      expect.stringMatching(/^ {4}load +✓ success +1 /),
      '      output: "chip 67"',
      expect.stringMatching(/^ {4}analyse +✓ success +2 /),
      expect.stringMatching(/^ {6}attempt 1 failed after \d\.\d\ds: detector not ready$/),
      '      output: {"peaks":2}',
    ]);
    expect(linesFrom(out, "wait", 2)).toEqual([expect.stringMatching(/^ {2}wait +■ cancelled +1 /), "    error: cancelled: interrupted by the test"]);
    expect(linesFrom(out, "report", 2)).toEqual([expect.stringMatching(/^ {2}report +⊘ skipped +0 +\d\.\d\ds$/), '    reason: not run: step "wait" was cancelled']);
  });

  it("shows a failed step's error and every failed attempt, and a resumed execution's restored steps", async () => {
    const dir = await tempDir();
    const e = await recordExecutions(dir);

    const failed = await runCli(["show", e.etlFailed.executionId, "--checkpoint-dir", dir]);
    expect(linesFrom(failed.out, "load", 4)).toEqual([
      expect.stringMatching(/^ {2}load +✗ failed +2 /),
      "    error: database is down (attempt 2)",
      expect.stringMatching(/^ {4}attempt 1 failed after \d\.\d\ds: database is down \(attempt 1\)$/),
      expect.stringMatching(/^ {4}attempt 2 failed after \d\.\d\ds: database is down \(attempt 2\)$/),
    ]);

    const resumed = await runCli(["show", e.etlResumed.executionId, "--checkpoint-dir", dir]);
    expect(resumed.out).toContain(`  resumed  from ${e.etlFailed.executionId}\n`);
    expect(linesFrom(resumed.out, "extract", 2)).toEqual([
      expect.stringMatching(/^ {2}extract +✓ success +resumed /),
      `    done in ${e.etlFailed.executionId}, not run again`,
    ]);
  });

  it("takes the unique start of an id; an ambiguous or unknown id exits 2 listing candidates", async () => {
    const dir = await tempDir();
    const e = await recordExecutions(dir);
    const all = [e.labCancelled, e.etlFailedAgain, e.etlResumed, e.etlFailed].map((r) => r.executionId);

    const prefix = await runCli(["show", e.labCancelled.executionId.slice(0, 8), "--checkpoint-dir", dir]);
    expect(prefix.code).toBe(0);
    expect(prefix.out).toMatch(new RegExp(`^lab ${e.labCancelled.executionId} `));

    const ambiguous = await runCli(["show", "2", "--checkpoint-dir", dir]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.out).toBe("");
    expect(ambiguous.err).toContain(`error: "2" matches 4 executions in ${dir}; give more of the id or --pipeline:`);
    expect(ambiguous.err.split("\n").filter((line) => /^ {2}\d/.test(line)).map((line) => line.trim().split(/ +/)[0])).toEqual(all);

    const unknown = await runCli(["show", "19990101", "--checkpoint-dir", dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain(`error: no execution "19990101" in ${dir}; the latest are:`);
    expect(unknown.err).toContain(e.etlFailed.executionId);

    const empty = await runCli(["show", "x", "--checkpoint-dir", await tempDir()]);
    expect(empty.code).toBe(2);
    expect(empty.err).toContain('no execution "x": there are no executions in');
  });

  it("--pipeline tells apart two pipelines' executions with the same id", async () => {
    const dir = await tempDir();
    const start = Date.now() - 60_000;
    const a = await new Pipeline({ name: "a", checkpointDir: dir }).addStep("s", () => "from a").execute({ clock: clockAt(start) });
    const b = await new Pipeline({ name: "b", checkpointDir: dir }).addStep("s", () => "from b").execute({ clock: clockAt(start) });
    expect(a.executionId).toBe(b.executionId);

    const both = await runCli(["show", a.executionId, "--checkpoint-dir", dir]);
    expect(both.code).toBe(2);
    expect(both.err).toContain("matches 2 executions");

    const one = await runCli(["show", a.executionId, "--pipeline", "b", "--checkpoint-dir", dir]);
    expect(one.code).toBe(0);
    expect(one.out).toContain('output: "from b"');
  });

  it("--json prints the whole execution: outputs in full, every item", async () => {
    const dir = await tempDir();
    const { labCancelled: lab } = await recordExecutions(dir);

    const { code, out } = await runCli(["show", lab.executionId, "--json", "--checkpoint-dir", dir]);

    expect(code).toBe(0);
    const record = JSON.parse(out) as { path: string; status: string; steps: Array<{ name: string; output: unknown; items?: unknown[] }> };
    expect(record).toMatchObject({ path: lab.checkpointPath, status: "cancelled", executionId: lab.executionId });
    expect(record.steps.map((s) => s.name)).toEqual(["prepare", "stage", "chip/load", "chip/analyse", "wait", "report"]);
    expect(record.steps[0]?.output).toEqual({ note: "x".repeat(300) });
    expect(record.steps[1]?.items).toHaveLength(4);
    expect(record.steps[1]?.items?.[2]).toMatchObject({ status: "failed", error: "c.csv is unreadable" });
  });

  it("says when the process of an execution recorded as running is gone", async () => {
    const dir = await tempDir();
    const { etlFailed } = await recordExecutions(dir);
    const pid = await markCrashed(etlFailed.checkpointPath!);

    const { code, out } = await runCli(["show", etlFailed.executionId, "--checkpoint-dir", dir]);

    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^etl ${etlFailed.executionId} {2}… running\n`));
    expect(out).toContain(`! process ${pid} is gone: this execution stopped without finishing; \`pipewright resume ${etlFailed.executionId}\` resumes it\n`);
  });

  it("shows examples in --help", async () => {
    const help = await runCli(["show", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("Examples:");
    expect(help.out).toContain("$ pipewright show 20251107_14");
  });
});
