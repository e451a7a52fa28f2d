import { readdir } from "node:fs/promises";
import path from "node:path";
import { ValidationError } from "pipewright";
import { DEFAULT_HISTORIES_DIR, historyFileName } from "../histories/build-histories.js";
import type { HistoryRow } from "../histories/history-row.js";
import { readHistory } from "../histories/read-history.js";

export interface ChipHistory {
  group: string | null;
  number: number;
  /** `<group><number>`, e.g. `Alisson79`. */
  name: string;
  history: HistoryRow[];
}

const HISTORY_SUFFIX = "_history.parquet";

/**
 * A chip's history, named as people write it (`Alisson79`), or by its number alone with `group`
 * (or alone when only one chip has that number).
 * @example (await loadChipHistory("Alisson79")).history.length // 49
 * @example (await loadChipHistory("79", { group: "Alisson" })).name // "Alisson79"
 */
export async function loadChipHistory(chip: string, options: { group?: string; historiesDir?: string } = {}): Promise<ChipHistory> {
  const dir = path.resolve(options.historiesDir ?? DEFAULT_HISTORIES_DIR);
  const known = await knownChips(dir);
  const match = /^(.*?)(\d+)$/.exec(chip.trim());
  if (match === null) throw new ValidationError(`chip \`${chip}\` is not a chip name: write it as <group><number> (e.g. Alisson79) or a number with --group`);
  const number = Number(match[2]);
  const group = match[1] !== "" ? match[1] : (options.group ?? onlyGroupWith(number, known, dir));
  const file = path.join(dir, historyFileName(group ?? null, number));
  if (!known.includes(path.basename(file).slice(0, -HISTORY_SUFFIX.length))) {
    const list = known.length === 0 ? "there are no histories there yet" : `known chips: ${known.join(", ")}`;
    throw new ValidationError(`no history for chip ${group ?? ""}${number} in ${dir} (${list}): check the name, or run build-all-histories`);
  }
  return { group: group ?? null, number, name: `${group ?? ""}${number}`, history: await readHistory(file) };
}

/** The chips that have a history file in `dir`, as `<group><number>`. */
export async function knownChips(dir: string = DEFAULT_HISTORIES_DIR): Promise<string[]> {
  const files = await readdir(path.resolve(dir)).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith(HISTORY_SUFFIX)).map((f) => f.slice(0, -HISTORY_SUFFIX.length)).sort();
}

/** A bare chip number is enough when exactly one known chip has it. */
function onlyGroupWith(number: number, known: readonly string[], dir: string): string {
  const groups = known.map((chip) => /^(.*?)(\d+)$/.exec(chip)).filter((m) => m !== null && Number(m[2]) === number).map((m) => m?.[1] ?? "");
  if (groups.length === 1 && groups[0] !== undefined) return groups[0];
  const found = groups.length === 0 ? `no chip numbered ${number} has a history in ${dir}` : `chips ${groups.map((g) => `${g}${number}`).join(", ")} have that number`;
  throw new ValidationError(`chip ${number}: ${found}; give the group with --group or write the full name (e.g. Alisson${number})`);
}
