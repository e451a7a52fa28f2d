/**
 * The live display in a real pseudo-terminal: the real bin runs inside tmux (a private server per
 * test), and the tests read the screen as a person would (capture-pane), resize the window and press
 * Ctrl-C. Steps that must be seen running hold until the test creates their `go` file.
 */
import { execFile, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { shellQuote } from "pipewright";
import { describe, expect, it } from "vitest";
import { SPINNER } from "../src/display/lines.js";
import { visibleWidth } from "../src/display/text-width.js";
import { tempDir } from "./helpers.js";

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, "..", "bin", "pipewright.js");
const PIPELINE = join(HERE, "fixtures", "display", "pipeline.yml");
const COMMANDS = join(HERE, "fixtures", "display", "commands.ts");
const SPINNING = new RegExp(`[${SPINNER}]`);
const STATUS_LINE = /^ {2}\d+\/\d+ done · /;

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
if (!hasTmux && !process.env.CI) console.warn("tmux is not installed: the live display's pseudo-terminal tests are skipped");

/** A tmux server of our own, with one window running `script` (sh) in `cwd`. */
class Tmux {
  readonly socket = `pipewright-test-${randomUUID().slice(0, 8)}`;

  async start(script: string, cwd: string, width = 100, height = 30): Promise<void> {
    await this.tmux("new-session", "-d", "-x", String(width), "-y", String(height), "-c", cwd, "sh", "-c", script);
  }

  /** The pane's text: with `history`, the scrollback too; lines wrapped by tmux are joined. */
  async capture(history = false): Promise<string[]> {
    const { stdout } = await this.tmux("capture-pane", "-p", "-J", ...(history ? ["-S", "-"] : []));
    const lines = stdout.split("\n").map((line) => line.trimEnd());
    while (lines.length > 0 && lines.at(-1) === "") lines.pop();
    return lines;
  }

  /** Polls the screen until `ready(lines)` holds; fails with the last screen after `ms`. */
  async waitFor(ready: (lines: string[]) => boolean, what: string, ms = 20_000, history = false): Promise<string[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const lines = await this.capture(history);
      if (ready(lines)) return lines;
      if (Date.now() > deadline) throw new Error(`not on screen within ${ms} ms: ${what}\n${lines.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async cursorVisible(): Promise<boolean> {
    return (await this.tmux("display-message", "-p", "#{cursor_flag}")).stdout.trim() === "1";
  }

  tmux(...args: string[]) {
    return run("tmux", ["-L", this.socket, "-f", "/dev/null", ...args], { timeout: 10_000 });
  }

  async kill(): Promise<void> {
    await this.tmux("kill-server").catch(() => {});
  }
}

/** Starts the fixture pipeline in tmux; the shell reports the exit code and stays, so the screen can be read. */
async function startDemo(tmux: Tmux, extra: string[]) {
  const dir = await tempDir();
  const go = join(dir, "go");
  // Concurrency 4: both held steps and the map step's two workers run at once, whatever the CPUs.
  const args = [BIN, "run", PIPELINE, "-r", COMMANDS, "-p", `GO=${go}`, "-c", "4", "--checkpoint-dir", join(dir, "cp"), ...extra];
  // `trap : INT`: Ctrl-C reaches the CLI, and the shell lives on to print the exit code.
  const script = `trap : INT; env -u CI -u NO_COLOR -u FORCE_COLOR ${shellQuote(process.execPath)} ${args.map(shellQuote).join(" ")}; echo "[exit $?]"; sleep 300`;
  await tmux.start(script, dir);
  return { go };
}

const liveArea = (lines: string[]) => lines.slice(Math.max(0, lines.findIndex((line) => SPINNING.test(line))));
const exitCode = (lines: string[]) => lines.map((line) => /^\[exit (\d+)\]$/.exec(line)?.[1]).find(Boolean);

describe.skipIf(!hasTmux && !process.env.CI)("the live display in a real terminal (tmux)", () => {
  it("keeps a log line above the live area, shows the retry's attempt, fits a resize, and ends with the summary and the resume command", { timeout: 60_000 }, async () => {
    const tmux = new Tmux();
    try {
      const { go } = await startDemo(tmux, ["-p", "ITEM_MS=400", "-p", "FAIL=yes", "-p", "PRINT=printed by console.log"]);

      // Both held steps run (calibration on its second attempt) while the map step makes progress.
      let screen = await tmux.waitFor(
        (lines) => lines.some((l) => /› calibration .*attempt 2\/3$/.test(l)) && lines.some((l) => /› stage-files .*\/24/.test(l)),
        "calibration on attempt 2/3 and stage-files running",
      );
      const log = screen.indexOf("  histories │ loaded 12 runs from data/01_raw/chip-67");
      const live = screen.findIndex((line) => SPINNING.test(line));
      expect(log).toBeGreaterThan(0);
      expect(live).toBeGreaterThan(log); // the step's log line is above the live area, not in it
      expect(screen[live]).toMatch(/analyses › histories/);
      expect(screen).toContain("↻ calibration attempt 1/3 failed: laser not ready — retrying in 0.30s");
      expect(screen).toContain("printed by console.log");
      expect(screen.filter((line) => STATUS_LINE.test(line))).toHaveLength(1);
      expect(await tmux.cursorVisible()).toBe(false);

      await tmux.tmux("resize-window", "-x", "60");
      screen = await tmux.waitFor(
        (lines) => liveArea(lines).every((line) => visibleWidth(line) <= 60) && lines.some((l) => /stage-files/.test(l) && visibleWidth(l) > 50),
        "the live area redrawn for 60 columns",
      );
      for (const line of liveArea(screen)) expect(visibleWidth(line)).toBeLessThanOrEqual(60);
      const history = await tmux.capture(true);
      expect(history.filter((line) => STATUS_LINE.test(line))).toHaveLength(1); // no stale copy of the live area

      await writeFile(go, "");
      const end = await tmux.waitFor((lines) => exitCode(lines) !== undefined, "the exit code", 20_000, true);
      expect(exitCode(end)).toBe("1");
      expect(end.some((line) => SPINNING.test(line))).toBe(false); // no spinner frame left anywhere in the scrollback
      expect(end.filter((line) => STATUS_LINE.test(line))).toHaveLength(0);
      expect(end.filter((line) => line === "  histories │ loaded 12 runs from data/01_raw/chip-67")).toHaveLength(1);
      expect(end).toContainEqual(expect.stringMatching(/^✓ calibration \d+\.\d+s · 2 attempts$/));
      expect(end).toContainEqual(expect.stringMatching(/^✓ stage-files \d+\.\d+s · 24\/24 items$/));
      expect(end).toContainEqual(expect.stringMatching(/^ +report +✗ failed +1 /));
      expect(end).toContainEqual(expect.stringMatching(/^✗ failed display-demo in /));
      expect(end).toContain("Step report failed: report template templates/report.md.j2 not found");
      expect(end).toContainEqual(expect.stringMatching(/^Resume with: pipewright run .*pipeline\.yml .* --resume \d{8}_\d{6}$/));
      expect(await tmux.cursorVisible()).toBe(true);
    } finally {
      await tmux.kill();
    }
  });

  it("on Ctrl-C stops the running steps, leaves no live area behind, gives the cursor back and exits 130", { timeout: 60_000 }, async () => {
    const tmux = new Tmux();
    try {
      await startDemo(tmux, ["-p", "ITEM_MS=400"]);
      await tmux.waitFor((lines) => lines.some((l) => /› histories/.test(l) && SPINNING.test(l)), "histories running");

      await tmux.tmux("send-keys", "C-c");
      const end = await tmux.waitFor((lines) => exitCode(lines) !== undefined, "the exit code", 20_000, true);

      expect(exitCode(end)).toBe("130");
      expect(end).toContain("SIGINT: stopping (press Ctrl-C again to quit at once)");
      expect(end).toContainEqual(expect.stringMatching(/^■ histories \d+\.\d+s cancelled: /));
      expect(end.some((line) => SPINNING.test(line))).toBe(false);
      expect(end.filter((line) => STATUS_LINE.test(line))).toHaveLength(0);
      expect(end).toContainEqual(expect.stringMatching(/^✗ cancelled display-demo in /));
      expect(end).toContainEqual(expect.stringMatching(/^Resume with: pipewright run /));
      expect(await tmux.cursorVisible()).toBe(true);
    } finally {
      await tmux.kill();
    }
  });
});
