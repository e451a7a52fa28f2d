import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue, parseDataRows, parseRawHeader, type Catalogue } from "../src/index.js";
import { crlf, fixture } from "./fixtures/raw/load-fixture.js";

let catalogue: Catalogue;
beforeAll(async () => {
  catalogue = await loadCatalogue();
});

const ivg = fixture("IVg_small.csv");
const rowsOf = (text: string) => parseDataRows(text, parseRawHeader(text, "f.csv"), catalogue);

describe("parseDataRows", () => {
  it("types the rows by catalogue key, nan as null (CRLF and LF alike)", () => {
    for (const text of [crlf(ivg), ivg, Buffer.from("\uFEFF" + crlf(ivg))]) {
      const { rows, problem } = parseDataRows(text, parseRawHeader(text, "f.csv"), catalogue);
      expect(problem).toBeNull();
      expect(rows).toEqual([
        { vg_v: -1, i_a: 1.5e-5, plate_t_degc: null, ambient_t_degc: null, clock_ms: null },
        { vg_v: 0, i_a: 1e-5, plate_t_degc: null, ambient_t_degc: null, clock_ms: null },
        { vg_v: 1, i_a: 2.5e-5, plate_t_degc: null, ambient_t_degc: null, clock_ms: null },
      ]);
    }
  });

  it("stops at the first cell that is not a number, naming line and column", () => {
    const { rows, problem } = rowsOf(crlf(ivg.replace("0.0,1.0e-05", "0.0,1.0e-0x").replace("1.0,2.5e-05", "1.0,oops")));
    expect(rows).toHaveLength(1);
    expect(problem).toMatchObject({ kind: "bad-value", line: 16, column: 2, message: "f.csv:16:2: column `I (A)`: `1.0e-0x` is not a number" });
  });

  it("reports a row with the wrong number of cells", () => {
    const { problem } = rowsOf(ivg.replace("1.0,2.5e-05,nan,nan,nan", "1.0,2.5e-05"));
    expect(problem?.message).toBe("f.csv:17: expected 5 cells, found 2");
  });

  it("leaves out columns the catalogue does not know, and reads a table without rows", () => {
    const extra = ivg.replace("Clock (ms)\n", "Clock (ms),Extra\n").replace(/nan\n/g, "nan,7\n");
    expect(rowsOf(extra).rows[0]).not.toHaveProperty("Extra");
    expect(rowsOf(ivg.slice(0, ivg.indexOf("-1.0,")))).toEqual({ rows: [], problem: null });
  });

  it("returns the blocking header problem instead of rows", () => {
    expect(rowsOf(ivg.replace("#Data:\n", "")).problem?.kind).toBe("no-data-section");
    expect(rowsOf(ivg.replace("IVg.IVg>", "Nope.Nope>")).problem?.kind).toBe("unknown-procedure");
  });
});
