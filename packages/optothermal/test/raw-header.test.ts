import { describe, expect, it } from "vitest";
import { parseRawHeader } from "../src/index.js";
import { crlf, fixture } from "./fixtures/raw/load-fixture.js";

const lf = fixture("IVg_small.csv");
const tableStart = lf.indexOf("Vg (V)");

describe("parseRawHeader", () => {
  it("reads procedure, fields with their units, and where the table starts (CRLF)", () => {
    const text = crlf(lf);
    const header = parseRawHeader(text, "IVg.csv");
    expect(header.problems).toEqual([]);
    expect(header.procedure).toBe("IVg");
    expect(header.parameters.VDS).toEqual({ raw: "0.1 V", value: "0.1", unit: "V", line: 7 });
    expect(header.parameters["Laser wavelength"]).toEqual({ raw: "455", value: "455", unit: null, line: 6 });
    expect(header.metadata["Start time"]?.value).toBe("1700000000.5");
    expect(header.columns).toEqual(["Vg (V)", "I (A)", "Plate T (degC)", "Ambient T (degC)", "Clock (ms)"]);
    expect(header.tableLine).toBe(14);
    expect(header.endLine).toBe(13);
    expect(text.slice(header.tableOffset ?? -1)).toMatch(/^Vg \(V\),I \(A\)/);
  });

  it("reads LF endings the same way, with the offsets of that file", () => {
    const [fromCrlf, fromLf] = [parseRawHeader(crlf(lf), "a.csv"), parseRawHeader(lf, "a.csv")];
    expect({ ...fromLf, tableOffset: 0 }).toEqual({ ...fromCrlf, tableOffset: 0 });
    expect(fromLf.tableOffset).toBe(tableStart);
    expect(fromCrlf.tableOffset).toBe(tableStart + 13); // one \r per line before the table
  });

  it("skips a UTF-8 BOM but counts its bytes, from a string or a buffer", () => {
    const withBom = "\uFEFF" + lf;
    for (const content of [withBom, Buffer.from(withBom, "utf8")]) {
      const header = parseRawHeader(content, "bom.csv");
      expect(header.problems).toEqual([]);
      expect(header.procedure).toBe("IVg");
      expect(header.tableOffset).toBe(tableStart + 3);
    }
  });

  it("ignores trailing spaces and blank lines, and accepts spaces instead of the tab", () => {
    const messy = lf.replace("#\tVDS: 0.1 V\n", "#  VDS: 0.1 V   \n\n").replace("#Data:\n", "#Data:  \n");
    const header = parseRawHeader(crlf(messy), "messy.csv");
    expect(header.problems).toEqual([]);
    expect(header.parameters.VDS).toMatchObject({ raw: "0.1 V", value: "0.1", unit: "V" });
    expect(header.columns).toHaveLength(5);
  });

  it("keeps text values whole (only `number unit` is split)", () => {
    const text = lf.replace("#\tVDS: 0.1 V", "#\tInformation: after light 2\n#\tOptical fiber: F1 (M92L02)\n#\tVersion: 2.1.0");
    const { parameters } = parseRawHeader(text, "t.csv");
    expect(parameters.Information).toMatchObject({ value: "after light 2", unit: null });
    expect(parameters["Optical fiber"]).toMatchObject({ value: "F1 (M92L02)", unit: null });
    expect(parameters.Version).toMatchObject({ value: "2.1.0", unit: null });
  });

  it("reports a truncated header: no #Data:, no table", () => {
    const truncated = lf.slice(0, lf.indexOf("#\tVG end"));
    const header = parseRawHeader(crlf(truncated), "cut.csv");
    expect(header.problems.map((p) => p.message)).toEqual(["cut.csv:7: the header ends without a `#Data:` line (truncated file?)"]);
    expect(header).toMatchObject({ columns: [], tableLine: null, tableOffset: null, endLine: 7 });
  });

  it("reports a table that comes without #Data:", () => {
    const header = parseRawHeader(lf.replace("#Data:\n", ""), "nodata.csv");
    expect(header.problems).toEqual([
      expect.objectContaining({ kind: "no-data-section", line: 13, message: "nodata.csv:13: no `#Data:` line before the table (found `Vg (V),I (A),Plate T (degC),Ambient T (degC),Clock (ms)`)" }),
    ]);
  });

  it("reports #Data: without column names", () => {
    const header = parseRawHeader(lf.slice(0, tableStart), "empty.csv");
    expect(header.problems.map((p) => p.kind)).toEqual(["no-table-header"]);
  });

  it("reports a missing #Procedure: and unreadable header lines", () => {
    const text = lf.replace("#Procedure: <laser_setup.procedures.IVg.IVg>\n", "#\tStray: 1\n").replace("#\tVDS: 0.1 V", "#\tno colon here");
    const header = parseRawHeader(text, "odd.csv");
    expect(header.procedure).toBeNull();
    expect(header.problems.map((p) => `${p.kind}@${p.line}`)).toEqual(["no-procedure@1", "bad-header-line@1", "bad-header-line@7"]);
  });

  it("takes the procedure as the last dotted part, with or without <>", () => {
    expect(parseRawHeader("#Procedure: a.b.ItWl\n#Data:\nt (s)\n", "x.csv").procedure).toBe("ItWl");
    expect(parseRawHeader("#Procedure: <>\n#Data:\nt (s)\n", "x.csv").problems[0]?.kind).toBe("no-procedure");
  });

  it("reads an empty file as missing everything, without throwing", () => {
    expect(parseRawHeader("", "void.csv").problems.map((p) => p.kind)).toEqual(["no-procedure", "no-data-section"]);
  });
});
