import type { ExecutionRecord, StepRecord } from "pipewright";
import { Pipeline } from "pipewright";
import { describe, expect, it } from "vitest";
import { escapeHtml } from "../src/report/escape.js";
import { MAX_FAILED_ITEMS } from "../src/report/errors-section.js";
import { MAX_GRAPH_NODES } from "../src/report/graph-svg.js";
import { renderReport } from "../src/report/report-html.js";
import { MAX_TIMELINE_ROWS } from "../src/report/timeline.js";
import { tempDir } from "./helpers.js";
import { diamondWithRetry, hostileFailure, mapWithFailures, nested, runAndLoad, XSS_ERROR, XSS_NAME } from "./report-fixtures.js";

const render = (record: ExecutionRecord) => renderReport(record, { checkpointPath: "checkpoints/x.json", generatedAt: new Date(0) });

interface Row {
  step: string;
  status: string;
  /** The outcome class of each attempt segment, in order. */
  segments: string[];
  line: string;
}

/** The timeline's step rows (the renderer writes one per line). */
function timelineRows(html: string): Row[] {
  return html
    .split("\n")
    .filter((line) => line.startsWith('<div class="tl-row" data-step='))
    .map((line) => ({
      step: /data-step="([^"]*)"/.exec(line)?.[1] ?? "",
      status: /data-status="([^"]*)"/.exec(line)?.[1] ?? "",
      segments: [...line.matchAll(/class="seg o-([a-z_]+)"/g)].map((m) => m[1] ?? ""),
      line,
    }));
}

/** Header rows of nested pipelines and parallel groups: "parallel analyses", "pipeline chip". */
function containerRows(html: string): string[] {
  return [...html.matchAll(/<div class="tl-row tl-container k-(\w+)"[^>]*><div class="tl-name"><span class="kind">\w+<\/span>([^<]*)</g)].map((m) => `${m[1]} ${m[2]}`);
}

const graphNodes = (html: string) => [...html.matchAll(/<g class="node st-(\w+)" data-step="([^"]*)"/g)].map((m) => ({ status: m[1], step: m[2] }));
const graphEdges = (html: string) => [...html.matchAll(/<path class="edge"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);
const boxLabels = (html: string) => [...html.matchAll(/<g class="box k-\w+">.*?<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
/** The section with this id. */
const section = (html: string, id: string) => html.slice(html.indexOf(`<section id="${id}">`), html.indexOf("</section>", html.indexOf(`<section id="${id}">`)));

describe("the HTML report", () => {
  it("draws a diamond with a retry: a row per step, a segment per attempt, a node per step, an edge per dependency", async () => {
    const { record } = await runAndLoad(diamondWithRetry(await tempDir()));

    const html = render(record);

    const rows = timelineRows(html);
    expect(rows.map((r) => r.step)).toEqual(["a", "b", "c", "d"]);
    expect(rows.map((r) => r.segments)).toEqual([["success"], ["success"], ["retried", "success"], ["success"]]);
    expect(rows.find((r) => r.step === "c")?.line).toContain("flaky: connection reset");
    expect(graphNodes(html)).toEqual(["a", "b", "c", "d"].map((step) => ({ status: "success", step })));
    expect(graphEdges(html).sort()).toEqual(["a → b", "a → c", "b → d", "c → d"]);
    expect(section(html, "errors")).toContain("Attempt 1");
    expect(html).toContain('<span class="pill st-success">✓ success</span>');
  });

  it("escapes every piece of step text: names, errors, outputs, params, the description", async () => {
    const { record } = await runAndLoad(hostileFailure(await tempDir()));
    expect(record.steps.map((s) => s.status)).toEqual(["success", "failed", "skipped"]);

    const html = render(record);

    expect(html).not.toMatch(/<script|<img|hostile<b>|<i>described/i); // the report itself has no script or image
    expect(html).toContain("<h1>hostile&lt;b&gt;</h1>");
    expect(section(html, "errors")).toContain(`<pre class="error-text">${escapeHtml(XSS_ERROR)}</pre>`);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain(escapeHtml(XSS_NAME));
    expect(html).toContain("alert(3)"); // the param, escaped
    expect(html).toContain("&lt;/code&gt;&lt;script&gt;alert(4)"); // the output, escaped
    expect(html).toContain("&lt;i&gt;described&lt;/i&gt;");
    expect(timelineRows(html).map((r) => [r.step, r.status, r.segments])).toEqual([
      [escapeHtml(XSS_NAME), "success", ["success"]],
      ["explode", "failed", ["failed"]],
      ["after", "skipped", []],
    ]);
    expect(graphNodes(html).map((n) => n.status)).toEqual(["success", "failed", "skipped"]);
  });

  it("groups nested pipelines and parallel groups, in the timeline and as boxes in the graph", async () => {
    const { record } = await runAndLoad(nested(await tempDir()));

    const html = render(record);

    expect(timelineRows(html).map((r) => r.step)).toEqual(["stage", "histories", "sub/load", "sub/analyse", "chip/load", "chip/analyse", "report"]);
    expect(containerRows(html)).toEqual(["parallel analyses", "pipeline sub", "pipeline chip"]);
    expect(graphNodes(html)).toHaveLength(7);
    expect(graphEdges(html)).toHaveLength(record.steps.reduce((n, s) => n + s.dependsOn.length, 0));
    expect(boxLabels(html)).toEqual(expect.arrayContaining(["parallel · analyses", "pipeline · chip"]));
  });

  it("lists a map step's first failed items with their errors, and counts the rest", async () => {
    const { record } = await runAndLoad(mapWithFailures(await tempDir(), 90));

    const html = render(record);

    const errors = section(html, "errors");
    expect(errors).toContain("30 failed items:");
    expect([...errors.matchAll(/<tr><td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]))).toEqual(
      Array.from({ length: MAX_FAILED_ITEMS }, (_, i) => i * 3),
    );
    expect(errors).toContain("bad row in &lt;file-0.csv&gt;");
    expect(errors).toContain(`and ${30 - MAX_FAILED_ITEMS} more failed items`);
    expect(timelineRows(html)[0]?.line).toContain("60/90 items, 30 failed");
  });

  it("shows steps restored by resume as restored, without a bar of the old run", async () => {
    const dir = await tempDir();
    let fail = true;
    const pipeline = () =>
      new Pipeline({ name: "resumable", checkpointDir: dir }).addStep("first", () => 1).addStep("second", () => {
        if (fail) throw new Error("not yet");
      });
    const first = await runAndLoad(pipeline());
    fail = false;
    const { record } = await runAndLoad(pipeline(), { resumeFrom: "latest" });

    const html = render(record);

    expect(timelineRows(html).map((r) => [r.step, r.status, r.segments])).toEqual([
      ["first", "restored", []],
      ["second", "success", ["success"]],
    ]);
    expect(html).toContain(`↺ restored from ${first.record.executionId}`);
    expect(html).toMatch(new RegExp(`<dt>Resumed from</dt><dd><code>${first.record.executionId}</code>`));
  });

  it("stays whole for 200 steps and caps a 10,000-step run with a note", async () => {
    const { record } = await runAndLoad(diamondWithRetry(await tempDir()));
    const template = record.steps[0] as StepRecord;
    const many = (n: number): ExecutionRecord => ({
      ...record,
      steps: Array.from({ length: n }, (_, i) => ({ ...template, name: `s${i}`, dependsOn: i === 0 ? [] : [`s${i - 1}`] })),
    });

    expect(timelineRows(render(many(200)))).toHaveLength(200);
    expect(graphNodes(render(many(200)))).toHaveLength(200);

    const started = performance.now();
    const big = render(many(10_000));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(timelineRows(big)).toHaveLength(MAX_TIMELINE_ROWS);
    expect(big).toContain(`Showing the first ${MAX_TIMELINE_ROWS} of 10,000 steps`);
    expect(graphNodes(big)).toHaveLength(0);
    expect(big).toContain(`more than the ${MAX_GRAPH_NODES} this report draws`);
  });
});
