import { beforeAll, describe, expect, it } from "vitest";
import { interpretRawFile, loadCatalogue, parseRawHeader, type Catalogue, type RawInterpretation } from "../src/index.js";
import { crlf, fixture } from "./fixtures/raw/load-fixture.js";

let catalogue: Catalogue;
beforeAll(async () => {
  catalogue = await loadCatalogue();
});

const ivg = fixture("IVg_small.csv");
const interpret = (text: string, path = "f.csv"): RawInterpretation => interpretRawFile(parseRawHeader(crlf(text), path), catalogue);
const messages = (text: string): string[] => interpret(text).problems.map((p) => p.message);

describe("interpretRawFile", () => {
  it("types a clean file by the catalogue", () => {
    const result = interpret(ivg);
    expect(result.problems).toEqual([]);
    expect(result.parameters).toEqual({
      chip_group: "Testgroup", chip_number: 7, laser_voltage: 0, laser_wavelength: 455, vds: 0.1, vg_end: 1, vg_start: -1, vg_step: 1,
    });
    expect(result.chip).toEqual({ group: "Testgroup", number: 7 });
    expect(result.startTime?.getTime()).toBe(1_700_000_000_500);
    expect(result.columns.map((c) => c.key)).toEqual(["vg_v", "i_a", "plate_t_degc", "ambient_t_degc", "clock_ms"]);
    expect(result.unknown).toEqual({ parameters: [], metadata: [], columns: [] });
  });

  it("reads a chip-less procedure without a chip", () => {
    const result = interpret(fixture("LaserCalibration_small.csv"));
    expect(result.problems).toEqual([]);
    expect(result.chip).toBeNull();
    expect(result.parameters).toMatchObject({ optical_fiber: "F1 (M92L02)", n_avg: 2, laser_voltage_end: 0.2 });
    expect(result.metadata).toMatchObject({ sensor_model: "S120VC" });
  });

  it("reports an unknown procedure and stops there", () => {
    const result = interpret(ivg.replace("IVg.IVg>", "IVx.IVx>"));
    expect(result.spec).toBeNull();
    expect(result.problems).toEqual([expect.objectContaining({ kind: "unknown-procedure", line: 1 })]);
    expect(result.problems[0]?.message).toMatch(/^f\.csv:1: procedure `IVx` is not in the catalogue \(known: IVg, IV, It, /);
  });

  it("reports a missing chip once, at the end of the header", () => {
    expect(messages(ivg.replace("#\tChip number: 7\n", ""))).toEqual([
      "f.csv:12: IVg needs a chip, but the header has no `Chip number`",
    ]);
    expect(messages(ivg.replace("#\tChip number: 7\n", "").replace("Chip group name: Testgroup", "Chip group name:"))).toEqual([
      "f.csv:12: IVg needs a chip, but the header has no `Chip group name` and `Chip number`",
    ]);
  });

  it("reports a number that does not parse, naming field and line", () => {
    const result = interpret(ivg.replace("VDS: 0.1 V", "VDS: 0,1 V"));
    expect(result.problems.map((p) => p.message)).toEqual(["f.csv:7: `VDS`: `0,1 V` is not a number (in V)"]);
    expect(result.parameters.vds).toBeNull();
    expect(messages(ivg.replace("Chip number: 7", "Chip number: 7.5"))).toEqual(["f.csv:4: `Chip number`: `7.5` is not an integer"]);
  });

  it("reports a unit other than the catalogue's", () => {
    expect(messages(ivg.replace("VDS: 0.1 V", "VDS: 100 mV"))).toEqual(["f.csv:7: `VDS`: `100 mV`: expected a value in V, found unit `mV`"]);
  });

  it("reports missing required fields and columns", () => {
    const text = ivg.replace("#\tStart time: 1700000000.5\n", "").replace("Vg (V),I (A)", "Vgate (V),I (A)");
    expect(messages(text)).toEqual([
      "f.csv:12: no `Start time` under `#Metadata:` (required for IVg)",
      "f.csv:13: no column `Vg (V)` in the table (required for IVg)",
    ]);
    expect(interpret(text).unknown.columns).toEqual(["Vgate (V)"]);
  });

  it("keeps header problems first, and lists fields the catalogue does not know", () => {
    const result = interpret(ivg.replace("#Data:\n", "").replace("#\tVDS: 0.1 V", "#\tVDS: 0.1 V\n#\tNew knob: 3 Hz"));
    expect(result.problems.map((p) => p.kind)).toEqual(["no-data-section"]);
    expect(result.unknown.parameters).toEqual(["New knob"]);
  });

  it("treats names like `constructor` as data, not as Object.prototype members", () => {
    const result = interpret(ivg.replace("IVg.IVg>", "x.constructor>").replace("#\tVDS: 0.1 V", "#\ttoString: 1"));
    expect(result.problems.map((p) => p.kind)).toEqual(["unknown-procedure"]);
    const fields = interpret(ivg.replace("#\tVDS: 0.1 V", "#\tVDS: 0.1 V\n#\tconstructor: 1\n#\t__proto__: 2"));
    expect(fields.unknown.parameters).toEqual(["constructor", "__proto__"]);
    expect(fields.problems).toEqual([]);
  });

  it("reads nan as a missing value and True/False as booleans", () => {
    const text = fixture("IVg_small.csv").replace("IVg.IVg>", "ItVg.ItVg>").replace("#\tVDS: 0.1 V", "#\tVDS: nan V\n#\tLaser toggle: True")
      .replace("Vg (V),I (A),Plate T (degC),Ambient T (degC),Clock (ms)", "t (s),I (A),Vg (V)");
    const result = interpret(text);
    expect(result.problems).toEqual([]);
    expect(result.parameters).toMatchObject({ vds: null, laser_toggle: true });
    expect(messages(text.replace("Laser toggle: True", "Laser toggle: yes"))).toEqual(["f.csv:8: `Laser toggle`: `yes` is not True or False"]);
  });
});
