import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "./helpers.js";
import { diamondWithRetry, hostileFailure, runAndLoad, XSS_ERROR } from "./report-fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const present = existsSync(CHROMIUM);
const inCi = process.env.CI === "true";
if (!present && !inCi) console.warn(`Skipping the report's browser test: no Chromium at ${CHROMIUM} (apt-get install chromium, or run .ci/run)`);

describe("a report in Chromium", () => {
  it.runIf(present || inCi)("shows the timeline, the graph and the error as text, loading nothing and running nothing", async () => {
    if (!present) throw new Error(`CI=true but there is no Chromium at ${CHROMIUM}: .ci/run installs it`);
    const dir = join(await tempDir(), "checkpoints");
    await runAndLoad(diamondWithRetry(dir));
    const { record } = await runAndLoad(hostileFailure(dir));
    const file = join(dir, "report.html");
    expect((await runCli(["report", record.executionId, "--pipeline", record.pipelineName, "-o", file, "--checkpoint-dir", dir])).code).toBe(0);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const context = await browser.newContext();
      const requests: string[] = [];
      const dialogs: string[] = [];
      await context.route("**/*", (route) => {
        const url = route.request().url();
        return url.startsWith("file:") ? route.continue() : (requests.push(url), route.abort());
      });
      const page = await context.newPage();
      page.on("request", (request) => {
        if (!request.url().startsWith("file:")) requests.push(request.url());
      });
      // The page's CSP would refuse a load or a script before any request: the console says so.
      const consoleErrors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(message.text());
      });
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: "load" });

      const rows = page.locator(".tl-row[data-step]");
      expect(await rows.count()).toBe(3);
      expect(await Promise.all(record.steps.map((_, i) => rows.nth(i).getAttribute("data-step")))).toEqual(record.steps.map((s) => s.name));
      const bar = page.locator('.tl-row[data-step="explode"] .seg');
      expect(await bar.count()).toBe(1);
      expect((await bar.boundingBox())?.width).toBeGreaterThan(0);
      expect(await page.locator("#timeline .tick").count()).toBeGreaterThan(1);
      expect(await page.locator("svg .node").count()).toBe(3);
      expect(await page.locator("svg .edge").count()).toBe(2);

      const error = page.locator('#errors .error-card[data-step="explode"] pre');
      expect(await error.textContent()).toBe(XSS_ERROR);
      expect(await error.isVisible()).toBe(true);
      expect(await page.locator("script, img").count()).toBe(0);
      expect(await page.locator("h1").textContent()).toBe("hostile<b>");
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([]);
      expect(consoleErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
