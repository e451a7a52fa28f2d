import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { breakFile, BROKEN_KINDS, type BrokenKind } from "./broken-files.js";
import { createChips, diracAt, type ChipModel } from "./chip-model.js";
import { buildIt } from "./it.js";
import { buildIvg } from "./ivg.js";
import { labDays, localTimeToEpoch } from "./lab-clock.js";
import { buildLaserCalibration } from "./laser-calibration.js";
import { laserOnDay, pickLaserVoltage, WAVELENGTHS_NM } from "./laser-model.js";
import { createRng, type Rng } from "./prng.js";
import { pyFloat } from "./py-float.js";
import { renderRawFile, type RawFile } from "./raw-writer.js";
import { fileExists } from "../file-exists.js";

export interface DemoDataOptions {
  /** Folder that receives one `YYYY-MM-DD` folder per day. */
  out: string;
  chips: number;
  days: number;
  seed: number;
  /** First day (YYYY-MM-DD); fixed by default so that a seed alone determines the bytes. */
  startDate?: string;
  /** The lab's time zone: day folders are its local dates. */
  tz?: string;
  /** Replace existing files; by default nothing is written if any target file exists. */
  overwrite?: boolean;
  /**
   * Laser ON+OFF period of the It runs (s). A trace lasts 1.5 periods at ≈ 12 samples/s, so this sets
   * the It files' length (≈ 84 KB at 120 s, proportionally more for longer periods); the benchmarks use
   * it to make larger corpora. Also written to the files' `Laser ON+OFF period` and `T step start time`.
   * @default 120, like the real runs (the default output is unchanged by this option)
   */
  itPeriodS?: number;
}

export type DemoProcedure = "IVg" | "It" | "LaserCalibration";

export interface DemoFile {
  /** Relative to `out`, with `/`. */
  path: string;
  procedure: DemoProcedure;
  day: string;
  startTime: number;
  chip?: number;
  wavelengthNm?: number;
  /** IVg only: the Dirac point the sweep was drawn around (up-sweep +hysteresis/2, down-sweep −). */
  diracV?: number;
}

export interface BrokenDemoFile {
  path: string;
  kind: BrokenKind;
  procedure: string;
  reason: string;
}

export interface DemoChipSummary {
  group: string;
  number: number;
  diracV: number;
  diracDriftVPerDay: number;
  hysteresisV: number;
}

export interface DemoDataSummary {
  out: string;
  days: string[];
  chips: DemoChipSummary[];
  filesByProcedure: Record<DemoProcedure, number>;
  files: DemoFile[];
  broken: BrokenDemoFile[];
}

export const DEFAULT_START_DATE = "2025-10-20";
export const DEFAULT_TIME_ZONE = "America/Santiago";
/** Limits that keep a day's measurements inside the day and the output a demo, not a flood. */
export const MAX_CHIPS = 20;
export const MAX_DAYS = 60;
const WAVELENGTHS_PER_DAY = 3;

interface Output {
  path: string;
  text: string;
}

/** Writes a deterministic, physically plausible raw data set in the lab's exact file format. */
export async function generateDemoData(options: DemoDataOptions): Promise<DemoDataSummary> {
  checkCount("chips", options.chips, MAX_CHIPS);
  checkCount("days", options.days, MAX_DAYS);
  if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be an integer, got ${options.seed}`);
  const itPeriodS = options.itPeriodS;
  if (itPeriodS !== undefined && !(Number.isFinite(itPeriodS) && itPeriodS >= 1 && itPeriodS <= 3600)) {
    throw new RangeError(`itPeriodS must be from 1 to 3600 s, got ${itPeriodS}`);
  }
  const tz = options.tz ?? DEFAULT_TIME_ZONE;
  const days = labDays(options.startDate ?? DEFAULT_START_DATE, options.days);
  const chips = createChips(options.seed, options.chips);
  const origin = localTimeToEpoch(days[0] ?? "", 0, tz);

  const outputs: Output[] = [];
  const files: DemoFile[] = [];
  const broken: BrokenDemoFile[] = [];
  days.forEach((day, dayIndex) => {
    const dayPlan = planDay(options.seed, day, dayIndex, chips, localTimeToEpoch(day, 0, tz), origin, itPeriodS);
    files.push(...dayPlan.files.map((f) => f.entry));
    outputs.push(...dayPlan.files);
    if (dayIndex === days.length - 1) {
      for (const b of planBroken(day, dayPlan)) {
        broken.push(b.entry);
        outputs.push(b);
      }
    }
  });

  const out = path.resolve(options.out);
  await writeOutputs(out, outputs, options.overwrite ?? false);
  const filesByProcedure = { IVg: 0, It: 0, LaserCalibration: 0 };
  for (const file of files) filesByProcedure[file.procedure]++;
  return {
    out,
    days,
    chips: chips.map(({ group, number, diracV, diracDriftVPerDay, hysteresisV }) => ({
      group,
      number,
      diracV,
      diracDriftVPerDay,
      hysteresisV,
    })),
    filesByProcedure,
    files,
    broken,
  };
}

type Build = (startTime: number, fileRng: Rng) => { file: RawFile; durationS: number };

interface DayPlan {
  files: (Output & { entry: DemoFile; raw: RawFile })[];
  /** Per-procedure file numbers used so far, and when the day's last run ended. */
  numbers: Map<string, number>;
  clock: number;
}

/** One lab day: calibrate the day's lasers, then per chip a dark IVg, an It per laser, an IVg after light. */
function planDay(
  seed: number,
  day: string,
  dayIndex: number,
  chips: ChipModel[],
  midnight: number,
  origin: number,
  itPeriodS: number | undefined,
): DayPlan {
  const rng = createRng(seed, `day:${day}`);
  const plan: DayPlan = { files: [], numbers: new Map(), clock: midnight + rng.uniform(9.5, 10) * 3600 };
  const add = (procedure: DemoProcedure, build: Build, extra: (startTime: number) => Partial<DemoFile>): void => {
    const relative = `${day}/${procedure}${day}_${nextNumber(plan.numbers, procedure)}.csv`;
    const startTime = plan.clock + rng.next();
    const { file, durationS } = build(startTime, createRng(seed, relative));
    plan.clock = startTime + durationS + rng.uniform(30, 240);
    const entry = { path: relative, procedure, day, startTime, ...extra(startTime) };
    plan.files.push({ path: relative, text: renderRawFile(file), raw: file, entry });
  };
  const dirac = (chip: ChipModel, startTime: number): number => diracAt(chip, (startTime - origin) / 86_400);

  const lasers = shuffled(WAVELENGTHS_NM, rng)
    .slice(0, WAVELENGTHS_PER_DAY)
    .map((nm) => laserOnDay(seed, nm, dayIndex));
  for (const laser of lasers) {
    add("LaserCalibration", (t, r) => buildLaserCalibration(laser, t, r), () => ({ wavelengthNm: laser.wavelengthNm }));
  }
  for (const chip of chips) {
    const ivg = (information: string, burnInS: number): void =>
      add(
        "IVg",
        (t, r) => buildIvg({ chip, diracV: dirac(chip, t), startTime: t, information, burnInS }, r),
        (t) => ({ chip: chip.number, diracV: dirac(chip, t) }),
      );
    ivg("dark sweep", 60);
    for (const laser of lasers) {
      const laserVoltageV = pickLaserVoltage(laser, rng);
      add(
        "It",
        (t, r) => buildIt({ chip, diracV: dirac(chip, t), laser, laserVoltageV, startTime: t, periodS: itPeriodS }, r),
        () => ({ chip: chip.number, wavelengthNm: laser.wavelengthNm }),
      );
    }
    ivg("after light", 0);
  }
  return plan;
}

/** The broken files go into the last day, numbered after that day's good files, started after them. */
function planBroken(day: string, plan: DayPlan): (Output & { entry: BrokenDemoFile })[] {
  const ivg = plan.files.find((f) => f.entry.procedure === "IVg")?.raw;
  const it = plan.files.find((f) => f.entry.procedure === "It")?.raw;
  if (!ivg || !it) throw new Error("a demo day always has IVg and It runs");
  const bases: Record<BrokenKind, RawFile> = {
    "missing-data-marker": ivg,
    "truncated-row": it,
    "unparsable-number": ivg,
    "unknown-procedure": ivg,
    "aborted-no-metadata": it,
  };
  return BROKEN_KINDS.map((kind, i) => {
    const base = bases[kind];
    const startTime = plan.clock + 60 * i + 0.25;
    const timed = { ...base, metadata: base.metadata.map(([k, v]) => [k, k === "Start time" ? pyFloat(startTime) : v] as const) };
    const { procedure, reason, text } = breakFile(kind, timed);
    const relative = `${day}/${procedure}${day}_${nextNumber(plan.numbers, procedure)}_broken-${kind}.csv`;
    return { path: relative, text, entry: { path: relative, kind, procedure, reason } };
  });
}

function nextNumber(numbers: Map<string, number>, procedure: string): number {
  const n = (numbers.get(procedure) ?? 0) + 1;
  numbers.set(procedure, n);
  return n;
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

async function writeOutputs(out: string, outputs: Output[], overwrite: boolean): Promise<void> {
  // Checked before writing anything: `out` may hold the lab's real raw data.
  if (!overwrite) {
    for (const output of outputs) {
      const target = path.join(out, output.path);
      if (await fileExists(target)) throw new Error(`${target} exists (pass overwrite to replace demo files)`);
    }
  }
  for (const dir of new Set(outputs.map((o) => path.dirname(path.join(out, o.path))))) await mkdir(dir, { recursive: true });
  await Promise.all(outputs.map((o) => writeFile(path.join(out, o.path), o.text)));
}

function checkCount(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} must be a whole number from 1 to ${max}, got ${value}`);
  }
}
