/**
 * Makes docs/images/live-display.png: runs the live display's fixture pipeline (a parallel group, a
 * retry, a map step, a log line) in tmux, captures the screen with its colours mid-run, turns the
 * ANSI text into HTML and screenshots it with headless Chromium.
 *
 *   npx tsx packages/cli/scripts/screenshot-live-display.ts [out.png]
 *
 * Needs tmux and Chromium (/usr/bin/chromium, or CHROMIUM=path). Not part of `npm test`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { shellQuote } from "pipewright";

const run = promisify(execFile);
const CLI = dirname(dirname(fileURLToPath(import.meta.url)));
const ROOT = dirname(dirname(CLI));
const OUT = resolve(process.argv[2] ?? join(ROOT, "docs", "images", "live-display.png"));
const FIXTURES = join(CLI, "test", "fixtures", "display");
const SOCKET = `pipewright-screenshot-${process.pid}`;
const COLUMNS = 96;
const ROWS = 16;

const tmux = (...args: string[]) => run("tmux", ["-L", SOCKET, "-f", "/dev/null", ...args]);

/** The screen mid-run, with its escape sequences: calibration retrying, stage-files part way. */
async function captureMidRun(dir: string): Promise<string> {
  const args = [join(CLI, "bin", "pipewright.js"), "run", join(FIXTURES, "pipeline.yml"), "-r", join(FIXTURES, "commands.ts")];
  args.push("-p", `GO=${join(dir, "go")}`, "-p", "ITEM_MS=120", "-p", "FILES=60", "-c", "4", "--checkpoint-dir", join(dir, "cp"));
  const script = `cd ${shellQuote(dir)} && env -u CI -u NO_COLOR ${args.map(shellQuote).join(" ")}; sleep 60`;
  await tmux("new-session", "-d", "-x", String(COLUMNS), "-y", String(ROWS), "sh", "-c", script);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { stdout: plain } = await tmux("capture-pane", "-p");
    const items = /stage-files .* (\d+)\/60/.exec(plain);
    if (/calibration .*attempt 2\/3$/m.test(plain) && items && Number(items[1]) >= 25) {
      return (await tmux("capture-pane", "-p", "-e")).stdout;
    }
    if (Date.now() > deadline) throw new Error(`the display did not reach the wanted state:\n${plain}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The palette of a dark terminal theme (One Dark-like), for SGR colours 30–37 and 90–97.
const PALETTE = ["#3f4451", "#e06c75", "#98c379", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#d7dae0"];
const BRIGHT = ["#5c6370", "#ff7b86", "#b5e890", "#ffd68a", "#7cc4ff", "#de94f2", "#6fd3df", "#ffffff"];

/** ANSI text (SGR sequences only, as tmux capture-pane -e writes them) → HTML spans. */
export function ansiToHtml(text: string): string {
  const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  let fg: string | undefined;
  let bold = false;
  let dim = false;
  let html = "";
  // eslint-disable-next-line no-control-regex -- splitting on escape sequences is the point
  for (const part of text.split(/(\u001b\[[0-9;]*m)/)) {
    const sgr = /^\u001b\[([0-9;]*)m$/.exec(part); // eslint-disable-line no-control-regex
    if (!sgr) {
      if (!part) continue;
      const style = [fg && `color:${fg}`, bold && "font-weight:bold", dim && "opacity:0.6"].filter(Boolean).join(";");
      html += style ? `<span style="${style}">${escape(part)}</span>` : escape(part);
      continue;
    }
    const codes = (sgr[1] || "0").split(";").map(Number);
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      if (code === 0) [fg, bold, dim] = [undefined, false, false];
      else if (code === 1) bold = true;
      else if (code === 2) dim = true;
      else if (code === 22) [bold, dim] = [false, false];
      else if (code >= 30 && code <= 37) fg = PALETTE[code - 30];
      else if (code >= 90 && code <= 97) fg = BRIGHT[code - 90];
      else if (code === 39) fg = undefined;
      else if (code === 38 && codes[i + 1] === 5) i += 2; // 256 colours: not used by the display
    }
  }
  return html;
}

function page(body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; background: #0f1115; }
  .window { display: inline-block; margin: 24px; border-radius: 10px; background: #1e2127; box-shadow: 0 10px 30px rgba(0,0,0,.5); overflow: hidden; }
  .bar { height: 28px; background: #2a2e36; display: flex; align-items: center; padding-left: 12px; gap: 8px; }
  .dot { width: 12px; height: 12px; border-radius: 50%; }
  .title { color: #9da5b4; font: 13px "DejaVu Sans", sans-serif; margin-left: 12px; }
  pre { margin: 0; padding: 14px 18px 16px; color: #d7dae0; font: 14px/1.35 "DejaVu Sans Mono", "Liberation Mono", monospace; }
  </style></head><body><div class="window"><div class="bar">
  <span class="dot" style="background:#ff5f56"></span><span class="dot" style="background:#ffbd2e"></span><span class="dot" style="background:#27c93f"></span>
  <span class="title">pipewright run pipeline.yml -r commands.ts</span></div><pre>${body}</pre></div></body></html>`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "pipewright-screenshot-"));
  try {
    const ansi = (await captureMidRun(dir)).replace(/\s+$/, "");
    await writeFile(join(dir, "go"), ""); // let the run finish
    const html = page(`$ pipewright run pipeline.yml -r commands.ts -c 4\n${ansiToHtml(ansi)}`);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    try {
      const context = await browser.newContext({ deviceScaleFactor: 2, viewport: { width: 1100, height: 600 } });
      const tab = await context.newPage();
      await tab.setContent(html);
      await tab.locator(".window").screenshot({ path: OUT });
    } finally {
      await browser.close();
    }
    console.log(`wrote ${OUT}`);
  } finally {
    await tmux("kill-server").catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
