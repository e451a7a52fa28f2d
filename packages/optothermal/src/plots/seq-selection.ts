import { ValidationError } from "pipewright";
import type { HistoryRow } from "../histories/history-row.js";

/**
 * `--seq` as a sorted list of distinct seqs: numbers and inclusive ranges, comma separated.
 * @example parseSeqList("3,5,7-9") // [3, 5, 7, 8, 9]
 */
export function parseSeqList(text: string): number[] {
  const seqs = new Set<number>();
  for (const part of text.split(",").map((p) => p.trim())) {
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    const from = Number(match?.[1]);
    const to = Number(match?.[2] ?? match?.[1]);
    if (match === null || from < 1 || to < from) {
      throw new ValidationError(`--seq: \`${part}\` is not a seq or a range: write seqs like 3,5,7-9 (see the chip's history)`);
    }
    for (let seq = from; seq <= to; seq++) seqs.add(seq);
  }
  return [...seqs].sort((a, b) => a - b);
}

/**
 * Sorted seqs in short form, ranges joined: for file names and notes.
 * @example formatSeqList([1, 2, 3, 5, 7, 8]) // "1-3,5,7-8"
 */
export function formatSeqList(seqs: readonly number[]): string {
  const parts: string[] = [];
  let start: number | undefined;
  seqs.forEach((seq, i) => {
    start ??= seq;
    if (seqs[i + 1] !== seq + 1) {
      parts.push(start === seq ? String(seq) : `${start}-${seq}`);
      start = undefined;
    }
  });
  return parts.join(",");
}

export interface RunSelection {
  runs: HistoryRow[];
  /** Said to the user when not every run of the kind is drawn; null otherwise. */
  note: string | null;
}

export interface SelectRunsOptions {
  /** The procedures this plot draws. */
  procs: readonly string[];
  /** The runs asked for; every run of `procs` when absent. */
  seqs?: readonly number[];
  /** Without `seqs`, only the latest this many runs are drawn. */
  maxRuns: number;
  /** `<group><number>`, for messages. */
  chip: string;
}

/**
 * The history rows a plot draws: those of `seqs` (each must be a run of `procs`), or the latest
 * `maxRuns` runs of `procs` with a note saying what was left out.
 * @example selectRuns(history, { procs: ["IVg"], seqs: [1, 5], maxRuns: 10, chip: "Demo1" }).runs.map((r) => r.seq) // [1, 5]
 */
export function selectRuns(history: readonly HistoryRow[], options: SelectRunsOptions): RunSelection {
  const kind = options.procs.join("/");
  const ofKind = history.filter((row) => options.procs.includes(row.proc));
  if (options.seqs === undefined) {
    if (ofKind.length === 0) throw new ValidationError(`${options.chip} has no ${kind} runs in its history: nothing to plot`);
    if (ofKind.length <= options.maxRuns) return { runs: ofKind, note: null };
    const runs = ofKind.slice(-options.maxRuns);
    return {
      runs,
      note: `showing the latest ${runs.length} of ${ofKind.length} ${kind} runs (seq ${formatSeqList(runs.map((r) => r.seq))}); pick others with --seq`,
    };
  }
  const bySeq = new Map(history.map((row) => [row.seq, row]));
  const runs = options.seqs.map((seq) => {
    const row = bySeq.get(seq);
    if (row === undefined) {
      throw new ValidationError(`seq ${seq} is not in ${options.chip}'s history (seq 1 to ${history.length}): pick seqs from its history`);
    }
    if (!options.procs.includes(row.proc)) {
      const choices = ofKind.length === 0 ? `it has no ${kind} runs` : `its ${kind} runs are seq ${formatSeqList(ofKind.map((r) => r.seq))}`;
      throw new ValidationError(`seq ${seq} of ${options.chip} is an ${row.proc} run, not ${kind}: ${choices}`);
    }
    return row;
  });
  return { runs, note: null };
}
