import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "./helpers.js";
import { diamondWithRetry, hostileFailure, runAndLoad } from "./report-fixtures.js";

/** A checkpoint directory with two executions of "diamond" then one of "hostile<b>" (which may share an id with one of them). */
async function executions() {
  const dir = join(await tempDir(), "checkpoints");
  const first = (await runAndLoad(diamondWithRetry(dir))).record.executionId;
  const second = (await runAndLoad(diamondWithRetry(dir))).record.executionId; // first + "_2" when in the same second
  const hostile = (await runAndLoad(hostileFailure(dir))).record.executionId;
  return { dir, first, second, hostile };
}

function commonPrefix(a: string, b: string): string {
  let n = 0;
  while (n < a.length && a[n] === b[n]) n++;
  return a.slice(0, n);
}

/** The pipeline and id the command says it wrote a report of. */
const reported = (out: string) => /^✓ Report of (.*) (\S+) \(\w+\) written to /.exec(out)?.slice(1);

describe("pipewright report", () => {
  it('writes the newest execution\'s report for "latest", and says where', async () => {
    const { dir, hostile } = await executions();
    const file = join(dir, "..", "out", "report.html");

    const { code, out, err } = await runCli(["report", "latest", "-o", file, "--checkpoint-dir", dir]);

    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toBe(`✓ Report of hostile<b> ${hostile} (failed) written to ${file}\n`);
    const html = await readFile(file, "utf8");
    expect(html).toContain(`<code>${hostile}</code>`);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("finds an execution by its id or a unique prefix of it, and tells pipelines apart with --pipeline", async () => {
    const { dir, first, second, hostile } = await executions();
    const file = join(dir, "r.html");
    const report = async (...args: string[]) => {
      const { code, out } = await runCli(["report", ...args, "-o", file, "--checkpoint-dir", dir]);
      expect(code).toBe(0);
      return reported(out);
    };

    expect(await report(first, "--pipeline", "diamond")).toEqual(["diamond", first]); // exact, even when it prefixes the second
    // --pipeline: "hostile<b>" may have started in the same second as the second run, with the same id.
    expect(await report(second.slice(0, commonPrefix(first, second).length + 1), "--pipeline", "diamond")).toEqual(["diamond", second]);
    expect(await report(hostile, "--pipeline", "hostile<b>")).toEqual(["hostile<b>", hostile]);
    expect(await readFile(file, "utf8")).toContain("<h1>hostile&lt;b&gt;</h1>");
  });

  it("exits 2 with a clear message for an ambiguous prefix, an unknown id, or no executions", async () => {
    const { dir, first, second } = await executions();
    const shared = commonPrefix(first, second).slice(0, first.length - 1); // a prefix of both, equal to neither

    const ambiguous = await runCli(["report", shared, "--checkpoint-dir", dir, "--pipeline", "diamond"]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toBe(`error: "${shared}" matches 2 executions: ${second} (diamond, success), ${first} (diamond, success); give more of the id\n`);

    const unknown = await runCli(["report", "19990101", "--checkpoint-dir", dir, "--pipeline", "diamond"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe(`error: No execution "19990101" in ${dir} (pipeline "diamond"); the latest are: ${second} (diamond, success), ${first} (diamond, success)\n`);

    const empty = join(dir, "none");
    const none = await runCli(["report", "latest", "--checkpoint-dir", empty]);
    expect(none.code).toBe(2);
    expect(none.err).toBe(`error: No executions in ${empty} (use --checkpoint-dir to look elsewhere)\n`);
    expect(ambiguous.out + unknown.out + none.out).toBe("");
  });

  it("writes report-<executionId>.html in the working directory without -o", async () => {
    const { dir, hostile } = await executions();
    const cwd = process.cwd();
    const here = await tempDir();
    process.chdir(here);
    try {
      const { code, out } = await runCli(["report", "latest", "--checkpoint-dir", dir]);
      expect(code).toBe(0);
      expect(out).toContain(`written to report-${hostile}.html`);
      expect(existsSync(join(here, `report-${hostile}.html`))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });
});
