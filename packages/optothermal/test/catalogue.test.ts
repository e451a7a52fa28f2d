import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValidationError } from "pipewright";
import { describe, expect, it } from "vitest";
import { loadCatalogue, parseCatalogue } from "../src/index.js";

const ISSUE_PROCEDURES = ["IVg", "IV", "It", "ITt", "It2", "IVgT", "VVg", "Vt", "ItVg", "ItWl", "LaserCalibration", "Tt", "Pt", "Pwl"];

const valid = `version: 1
procedures:
  Demo:
    needs_chip: false
    parameters:
      VDS: { key: vds, type: float, unit: V, required: true }
    columns:
      t (s): { key: t_s, type: float, required: true }
`;

function catalogueError(text: string): ValidationError {
  try {
    parseCatalogue(text, "bad.yml");
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("the shipped catalogue", () => {
  it("loads and describes every procedure of the issue", async () => {
    const catalogue = await loadCatalogue();
    expect(Object.keys(catalogue.procedures).sort()).toEqual([...ISSUE_PROCEDURES].sort());
  });

  it("marks only the power-meter procedures as chip-less", async () => {
    const { procedures } = await loadCatalogue();
    const chipless = Object.entries(procedures).filter(([, spec]) => !spec.needsChip).map(([name]) => name);
    expect(chipless.sort()).toEqual(["LaserCalibration", "Pt", "Pwl"]);
  });

  it("gives every procedure a required start time and a required column", async () => {
    const { procedures } = await loadCatalogue();
    for (const spec of Object.values(procedures)) {
      expect(spec.metadata["Start time"]).toMatchObject({ key: "start_time", type: "timestamp", required: true });
      expect(Object.values(spec.columns).some((c) => c.required)).toBe(true);
    }
  });

  it("shares aliased sections between procedures (ITt and It2 reuse It's parameters)", async () => {
    const { procedures } = await loadCatalogue();
    expect(procedures.ITt?.parameters).toEqual(procedures.It?.parameters);
    expect(procedures.It2?.columns).toEqual(procedures.ITt?.columns);
  });
});

describe("a broken catalogue", () => {
  it("parses a minimal valid one, with defaults applied", () => {
    const catalogue = parseCatalogue(valid, "ok.yml");
    expect(catalogue.procedures.Demo).toMatchObject({ needsChip: false, metadata: {}, parameters: { VDS: { key: "vds", required: true } } });
  });

  it("names file and line of a bad field type", () => {
    const error = catalogueError(valid.replace("type: float, unit: V", "type: double, unit: V"));
    expect(error.message).toMatch(/^bad\.yml:6:\d+: procedures\.Demo\.parameters\.VDS\.type: /);
  });

  it("points a missing key at its parent", () => {
    const error = catalogueError(valid.replace("    needs_chip: false\n", ""));
    expect(error.message).toMatch(/^bad\.yml:4:\d+: procedures\.Demo\.needs_chip: /);
  });

  it("reports a YAML syntax error with its line", () => {
    const error = catalogueError(valid.replace("    columns:", "   columns:"));
    expect(error.issues[0]?.location?.line).toBe(7);
    expect(error.message).toMatch(/^bad\.yml:7:1: invalid YAML: All mapping items must start at the same column$/);
  });

  it("rejects a chip procedure without chip fields, and a key used twice", () => {
    const text = valid.replace("needs_chip: false", "needs_chip: true").replace("    columns:\n", "    columns:\n      t2 (s): { key: t_s, type: float }\n");
    const messages = catalogueError(text).issues.map((i) => i.message);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringContaining("requires a required string parameter with key `chip_group`"),
      expect.stringContaining("key `t_s` is used twice in columns"),
    ]));
  });

  it("rejects unknown settings and a key that is not snake_case", () => {
    const messages = catalogueError(valid.replace("required: true }\n    columns", "required: true, default: 1 }\n    columns").replace("key: t_s", "key: T-s"))
      .issues.map((i) => `${i.location?.line}: ${i.message}`);
    expect(messages).toEqual([expect.stringMatching(/^6: .*default/), expect.stringMatching(/^8: .*snake_case/)]);
  });

  it("names an unreadable file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "catalogue-"));
    await expect(loadCatalogue(join(dir, "missing.yml"))).rejects.toThrow(/cannot read procedure catalogue .*missing\.yml/);
    await writeFile(join(dir, "bad.yml"), "version: 2\nprocedures: {}\n");
    await expect(loadCatalogue(join(dir, "bad.yml"))).rejects.toThrow(/bad\.yml:1:\d+: version: /);
  });
});
