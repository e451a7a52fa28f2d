import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoData, type DemoDataSummary, type DemoFile } from "../src/demo/generate.js";
import { localDate } from "../src/demo/lab-clock.js";

const REAL_DIR = "/work/shared/data/optothermal-raw";
const hasReal = existsSync(REAL_DIR);
const realNote = hasReal ? "" : ` (skipped: no real data at ${REAL_DIR})`;

interface Parsed {
  procedure: string;
  parameters: [string, string][];
  metadata: [string, string][];
  columns: string[];
  rows: string[][];
}

/** A deliberately minimal reader for the tests (the package's own reader is tested elsewhere). */
function parse(text: string): Parsed {
  const lines = text.split("\r\n");
  const parsed: Parsed = { procedure: "", parameters: [], metadata: [], columns: [], rows: [] };
  let section: "parameters" | "metadata" = "parameters";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith("#Procedure:")) parsed.procedure = /\.(\w+)>$/.exec(line)?.[1] ?? "";
    else if (line === "#Parameters:") section = "parameters";
    else if (line === "#Metadata:") section = "metadata";
    else if (line.startsWith("#\t")) {
      const [name = "", value = ""] = line.slice(2).split(": ");
      parsed[section].push([name, value]);
    } else if (line === "#Data:") {
      parsed.columns = (lines[i + 1] ?? "").split(",");
      parsed.rows = lines.slice(i + 2).filter((l) => l !== "").map((l) => l.split(","));
      break;
    }
  }
  return parsed;
}

const column = (file: Parsed, name: string): number[] => {
  const index = file.columns.indexOf(name);
  return file.rows.map((row) => Number(row[index]));
};
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

let root: string;
let summary: DemoDataSummary;
let elapsedMs: number;
const read = (relative: string): string => readFileSync(path.join(summary.out, relative), "utf8");
const filesOf = (procedure: DemoFile["procedure"]): DemoFile[] => summary.files.filter((f) => f.procedure === procedure);

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "optothermal-demo-"));
  const started = performance.now();
  summary = await generateDemoData({ out: path.join(root, "a"), chips: 3, days: 2, seed: 7 });
  elapsedMs = performance.now() - started;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function listFiles(dir: string): string[] {
  const days = readdirSync(dir).sort();
  return days.flatMap((day) => readdirSync(path.join(dir, day)).sort().map((f) => `${day}/${f}`));
}

describe("generateDemoData: determinism", () => {
  it("gives byte-identical files for the same seed", async () => {
    const again = await generateDemoData({ out: path.join(root, "b"), chips: 3, days: 2, seed: 7 });
    const names = listFiles(summary.out);
    expect(listFiles(again.out)).toEqual(names);
    for (const name of names) {
      const same = (await readFile(path.join(again.out, name))).equals(await readFile(path.join(summary.out, name)));
      expect(same, name).toBe(true);
    }
    expect(again.files.map((f) => f.startTime)).toEqual(summary.files.map((f) => f.startTime));
  });

  it("gives different data for another seed", async () => {
    const other = await generateDemoData({ out: path.join(root, "c"), chips: 3, days: 2, seed: 8 });
    for (const file of other.files) {
      expect(readFileSync(path.join(other.out, file.path), "utf8")).not.toBe(read(file.path));
    }
  });
});

describe("generateDemoData: layout and summary", () => {
  it("writes dozens of files, fast, and counts them per procedure", () => {
    expect(elapsedMs).toBeLessThan(1000);
    const names = listFiles(summary.out);
    expect(names).toHaveLength(summary.files.length + summary.broken.length);
    expect(summary.files.length).toBeGreaterThanOrEqual(24);
    // Per day: a calibration per laser (3); per chip a dark IVg, an It per laser, an IVg after light.
    expect(summary.filesByProcedure).toEqual({ IVg: 12, It: 18, LaserCalibration: 6 });
    expect(summary.chips.map((c) => c.number)).toEqual([1, 2, 3]);
    expect(summary.days).toEqual(["2025-10-20", "2025-10-21"]);
  });

  it("names day folders YYYY-MM-DD and numbers files per procedure per day from 1", () => {
    expect(readdirSync(summary.out).sort()).toEqual(summary.days);
    for (const day of summary.days) {
      const byProcedure = new Map<string, number[]>();
      for (const file of summary.files.filter((f) => f.day === day)) {
        const match = /^(\d{4}-\d{2}-\d{2})\/([A-Za-z]+)(\d{4}-\d{2}-\d{2})_(\d+)\.csv$/.exec(file.path);
        expect(match?.[1]).toBe(day);
        expect(match?.[2]).toBe(file.procedure);
        expect(match?.[3]).toBe(day);
        byProcedure.set(file.procedure, [...(byProcedure.get(file.procedure) ?? []), Number(match?.[4])]);
      }
      for (const numbers of byProcedure.values()) expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    }
  });

  it("starts runs at increasing fractional epoch seconds within each local day (America/Santiago)", () => {
    for (const day of summary.days) {
      const times = summary.files.filter((f) => f.day === day).map((f) => f.startTime);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(new Set(times).size).toBe(times.length);
      for (const t of times) expect(localDate(t, "America/Santiago")).toBe(day);
    }
    for (const file of summary.files) {
      const written = parse(read(file.path)).metadata.find(([name]) => name === "Start time")?.[1];
      expect(written).toBe(String(file.startTime));
      expect(written).toMatch(/^\d{10}\.\d+$/);
    }
  });

  it("puts day folders on the lab's local dates in another time zone too", async () => {
    const tokyo = await generateDemoData({ out: path.join(root, "tz"), chips: 1, days: 1, seed: 1, tz: "Asia/Tokyo", startDate: "2026-03-01" });
    for (const file of tokyo.files) expect(localDate(file.startTime, "Asia/Tokyo")).toBe("2026-03-01");
  });
});

describe("generateDemoData: format", () => {
  it("uses CRLF line endings everywhere, ending with one", () => {
    for (const file of summary.files) {
      const text = read(file.path);
      expect(text.replaceAll("\r\n", "")).not.toMatch(/[\r\n]/);
      expect(text.endsWith("\r\n")).toBe(true);
    }
  });

  it("writes the unmeasured temperature and clock columns as nan", () => {
    for (const file of [...filesOf("IVg"), ...filesOf("It")]) {
      const parsed = parse(read(file.path));
      for (const name of ["Plate T (degC)", "Ambient T (degC)", "Clock (ms)"]) {
        expect(parsed.columns).toContain(name);
        const index = parsed.columns.indexOf(name);
        expect(new Set(parsed.rows.map((row) => row[index]))).toEqual(new Set(["nan"]));
      }
    }
  });

  it.skipIf(!hasReal)(`has the real files' header structure for each procedure${realNote}`, () => {
    const structure = (p: Parsed): unknown => ({
      procedure: p.procedure,
      parameters: p.parameters.map(([name]) => name),
      metadata: p.metadata.map(([name]) => name),
      columns: p.columns,
    });
    for (const procedure of ["IVg", "It", "LaserCalibration"] as const) {
      const real = readdirSync(REAL_DIR)
        .flatMap((day) => readdirSync(path.join(REAL_DIR, day)).map((f) => path.join(REAL_DIR, day, f)))
        .filter((f) => path.basename(f).startsWith(`${procedure}2`))
        .map((f) => parse(readFileSync(f, "utf8")))
        .filter((p) => p.metadata.length > 0);
      expect(real.length).toBeGreaterThan(0);
      const expected = structure(real[0] as Parsed);
      expect(new Set(real.map((p) => JSON.stringify(structure(p))))).toEqual(new Set([JSON.stringify(expected)]));
      for (const file of filesOf(procedure)) expect(structure(parse(read(file.path)))).toEqual(expected);
    }
  });

  it.skipIf(!hasReal)(`sweeps the same gate grid as a real IVg with the same settings${realNote}`, () => {
    const realFile = readdirSync(REAL_DIR)
      .flatMap((day) => readdirSync(path.join(REAL_DIR, day)).map((f) => path.join(REAL_DIR, day, f)))
      .map((f) => parse(readFileSync(f, "utf8")))
      .find((p) => {
        const settings = Object.fromEntries(p.parameters);
        return p.procedure === "IVg" && settings["VG start"] === "-5 V" && settings["VG end"] === "5 V" && settings["VG step"] === "0.05 V" && p.rows.length === 601;
      });
    expect(realFile).toBeDefined();
    const demo = parse(read(filesOf("IVg")[0]?.path ?? ""));
    expect(demo.rows.map((row) => row[0])).toEqual(realFile?.rows.map((row) => row[0]));
  });
});

describe("generateDemoData: physics", () => {
  it("puts each IVg direction's |I| minimum at its chip's Dirac point ± hysteresis/2 (up-sweep above)", () => {
    for (const file of filesOf("IVg")) {
      const chip = summary.chips.find((c) => c.number === file.chip);
      const parsed = parse(read(file.path));
      const vg = column(parsed, "Vg (V)");
      const current = column(parsed, "I (A)");
      const minimumWhere = (direction: 1 | -1): number => {
        let best = { vg: NaN, current: Infinity };
        for (let i = 1; i < vg.length; i++) {
          const here = vg[i] ?? NaN;
          const magnitude = Math.abs(current[i] ?? NaN);
          if (Math.sign(here - (vg[i - 1] ?? NaN)) === direction && magnitude < best.current) best = { vg: here, current: magnitude };
        }
        return best.vg;
      };
      const half = (chip?.hysteresisV ?? NaN) / 2;
      const up = minimumWhere(1);
      const down = minimumWhere(-1);
      expect(file.diracV).toBeGreaterThanOrEqual(-2);
      expect(file.diracV).toBeLessThanOrEqual(2);
      expect(Math.abs(up - ((file.diracV ?? NaN) + half))).toBeLessThanOrEqual(0.15);
      expect(Math.abs(down - ((file.diracV ?? NaN) - half))).toBeLessThanOrEqual(0.15);
      expect(up).toBeGreaterThan(down);
      // Realistic levels: tens of µA at VDS 0.1 V, well inside Irange.
      expect(Math.min(...current)).toBeGreaterThan(1e-6);
      expect(Math.max(...current)).toBeLessThan(1e-3);
    }
  });

  it("drifts the Dirac point slowly from day to day", () => {
    for (const chip of summary.chips) {
      const points = filesOf("IVg").filter((f) => f.chip === chip.number).map((f) => f.diracV ?? NaN);
      const spread = Math.max(...points) - Math.min(...points);
      expect(spread).toBeGreaterThan(0);
      expect(spread).toBeLessThan(0.3);
    }
  });

  it("raises the It current while the laser is on, with VL switching 0 → laser voltage → 0", () => {
    for (const file of filesOf("It")) {
      const parsed = parse(read(file.path));
      const laserVoltage = Number(parsed.parameters.find(([name]) => name === "Laser voltage")?.[1]?.split(" ")[0]);
      const vl = column(parsed, "VL (V)");
      const current = column(parsed, "I (A)");
      const time = column(parsed, "t (s)");
      expect(new Set(vl)).toEqual(new Set([0, laserVoltage]));
      const switches = vl.flatMap((v, i) => (i > 0 && v !== vl[i - 1] ? [time[i]] : []));
      expect(switches).toHaveLength(2);
      expect(time.every((t, i) => i === 0 || t > (time[i - 1] ?? Infinity))).toBe(true);
      const on = current.filter((_, i) => vl[i] !== 0);
      const off = current.filter((_, i) => vl[i] === 0);
      expect(mean(on)).toBeGreaterThan(mean(off));
    }
  });

  it("makes LaserCalibration power rise with VL above a threshold, the meter's dark level below", () => {
    for (const file of filesOf("LaserCalibration")) {
      const parsed = parse(read(file.path));
      const vl = column(parsed, "VL (V)");
      const power = column(parsed, "Power (W)");
      expect(vl[0]).toBe(0);
      expect(vl.at(-1)).toBe(5);
      expect(power[0]).toBeLessThan(1e-8);
      // Below threshold the reading is the meter's dark level plus noise: only lasing must rise.
      const lasing = power.findIndex((p) => p > 1e-8);
      expect(vl[lasing]).toBeGreaterThanOrEqual(0.1);
      expect(vl[lasing]).toBeLessThanOrEqual(0.4);
      for (let i = lasing + 1; i < power.length; i++) expect(power[i]).toBeGreaterThan(power[i - 1] ?? Infinity);
      expect(power.at(-1)).toBeGreaterThan(1e-6);
      expect(parsed.parameters.map(([name]) => name)).not.toContain("Chip number");
    }
  });
});

describe("generateDemoData: broken files", () => {
  const brokenText = (kind: string): { path: string; text: string; reason: string } => {
    const entry = summary.broken.find((b) => b.kind === kind);
    expect(entry?.path).toContain(`_broken-${kind}.csv`);
    return { path: entry?.path ?? "", text: read(entry?.path ?? ""), reason: entry?.reason ?? "" };
  };

  it("lists one broken file per kind, in the last day, apart from the good files", () => {
    expect(summary.broken.map((b) => b.kind).sort()).toEqual(
      ["aborted-no-metadata", "missing-data-marker", "truncated-row", "unknown-procedure", "unparsable-number"].sort(),
    );
    for (const b of summary.broken) expect(b.path.startsWith(`${summary.days.at(-1)}/${b.procedure}`)).toBe(true);
    expect(summary.files.some((f) => f.path.includes("broken"))).toBe(false);
  });

  it("drops #Data: from the missing-data-marker file, keeping the table", () => {
    const { text } = brokenText("missing-data-marker");
    expect(text).not.toContain("#Data:");
    expect(text).toContain("#Metadata:\r\n#\tStart time: ");
    expect(text).toContain("\r\nVg (V),I (A),");
  });

  it("cuts the truncated file mid-row, where the reason says", () => {
    const { text, reason } = brokenText("truncated-row");
    const lastLine = text.split("\r\n").at(-1) ?? "";
    expect(text.endsWith("\r\n")).toBe(false);
    expect(lastLine.split(",").length).toBeLessThan(6);
    expect(reason).toContain(`ends with "${lastLine}"`);
    const line = Number(/line (\d+)/.exec(reason)?.[1]);
    expect(text.split("\r\n")).toHaveLength(line);
  });

  it("garbles exactly one number in the unparsable-number file", () => {
    const { text, reason } = brokenText("unparsable-number");
    const parsed = parse(text);
    const bad = parsed.rows.flat().filter((cell) => cell !== "nan" && Number.isNaN(Number(cell)));
    expect(bad).toHaveLength(1);
    expect(reason).toContain(`"${bad[0]}" is not a number`);
    const line = Number(/line (\d+)/.exec(reason)?.[1]);
    expect(text.split("\r\n")[line - 1]).toContain(bad[0]);
  });

  it("declares an unknown procedure, named after it, otherwise well formed", () => {
    const { text, path: where } = brokenText("unknown-procedure");
    const parsed = parse(text);
    expect(parsed.procedure).toBe("Mystery");
    expect(path.basename(where)).toMatch(/^Mystery\d{4}-\d{2}-\d{2}_1_broken-unknown-procedure\.csv$/);
    expect(parsed.rows.length).toBeGreaterThan(100);
  });

  it("writes the aborted file like the real aborted run: no metadata section, a column header, no rows", () => {
    const { text } = brokenText("aborted-no-metadata");
    const parsed = parse(text);
    expect(text).not.toContain("#Metadata:");
    expect(parsed.columns[0]).toBe("t (s)");
    expect(parsed.rows).toEqual([]);
  });
});

describe("generateDemoData: safety and validation", () => {
  it("refuses to overwrite an existing file unless asked, writing nothing", async () => {
    const out = path.join(root, "existing");
    const clash = path.join(out, "2025-10-20", "IVg2025-10-20_1.csv");
    await mkdir(path.dirname(clash), { recursive: true });
    await writeFile(clash, "real data");
    await expect(generateDemoData({ out, chips: 1, days: 1, seed: 1 })).rejects.toThrow(/exists/);
    expect(readdirSync(path.dirname(clash))).toEqual(["IVg2025-10-20_1.csv"]);
    await generateDemoData({ out, chips: 1, days: 1, seed: 1, overwrite: true });
    expect(readFileSync(clash, "utf8")).toMatch(/^#Procedure: /);
  });

  it.each([
    [{ chips: 0 }, /chips/],
    [{ chips: 21 }, /chips/],
    [{ days: 1.5 }, /days/],
    [{ seed: Number.NaN }, /seed/],
    [{ startDate: "2025-02-30" }, /not a date/],
    [{ tz: "Mars/Olympus" }, /time zone/i],
  ])("rejects %o", async (bad, message) => {
    await expect(generateDemoData({ out: path.join(root, "never"), chips: 1, days: 1, seed: 1, ...bad })).rejects.toThrow(message);
    expect(existsSync(path.join(root, "never"))).toBe(false);
  });
});
