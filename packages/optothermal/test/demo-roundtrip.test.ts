import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateDemoData, interpretRawFile, loadCatalogue, parseDataRows, parseRawHeader } from "../src/index.js";

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe("demo data through the raw-file reader", () => {
  it("reads every good file cleanly and finds a problem in every broken one", async () => {
    const out = await mkdtemp(join(tmpdir(), "optothermal-demo-"));
    dirs.push(out);
    const summary = await generateDemoData({ out, chips: 2, days: 2, seed: 7 });
    const catalogue = await loadCatalogue();

    for (const file of summary.files) {
      const text = await readFile(join(out, file.path));
      const header = parseRawHeader(text, file.path);
      const interpreted = interpretRawFile(header, catalogue);
      expect(interpreted.problems, file.path).toEqual([]);
      expect(interpreted.procedure).toBe(file.procedure);
      expect(Math.abs((interpreted.startTime?.getTime() ?? 0) / 1000 - file.startTime)).toBeLessThan(0.001); // a Date keeps ms
      if (file.chip !== undefined) expect(interpreted.chip?.number).toBe(file.chip);
      const { rows, problem } = parseDataRows(text, header, catalogue);
      expect(problem, file.path).toBeNull();
      expect(rows.length).toBeGreaterThan(10);
    }

    for (const broken of summary.broken) {
      const text = await readFile(join(out, broken.path));
      const header = parseRawHeader(text, broken.path);
      const { problems } = interpretRawFile(header, catalogue);
      const rowProblem = problems.length === 0 ? parseDataRows(text, header, catalogue).problem : null;
      expect(problems.length > 0 || rowProblem !== null, `${broken.path} (${broken.kind})`).toBe(true);
    }
  });
});
