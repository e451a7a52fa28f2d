import { createRng, type Rng } from "../../src/demo/prng.js";

/**
 * A seeded mutator of raw instrument files, for fuzzing staging: each kind breaks a file the way a
 * disk, a copy, an editor or a half-written acquisition can. A variant is reproducible from
 * `(seed, label, kind)` alone: `mutate(bytes, kind, createRng(seed, label))`.
 */
export const MUTATION_KINDS = [
  "truncate-header",
  "truncate-table",
  "truncate-mid-number",
  "bit-flips",
  "utf16le",
  "utf16le-bom",
  "latin1-non-ascii",
  "huge-cell",
  "huge-line-no-newline",
  "huge-header-line",
  "drop-procedure",
  "drop-parameters",
  "drop-metadata",
  "drop-data",
  "drop-table-header",
  "duplicate-header",
  "crlf-to-lf",
  "lone-cr",
  "nul-bytes",
  "empty",
  "only-bom",
  "swap-columns",
  "swap-header-columns",
  "extra-cells",
  "missing-cells",
  "odd-numbers",
  "long-numbers",
] as const;

export type MutationKind = (typeof MUTATION_KINDS)[number];

/** Kinds that make files of several MB: a few variants are enough (and keep the test fast). */
export const HUGE_KINDS: readonly MutationKind[] = ["huge-cell", "huge-line-no-newline", "huge-header-line"];

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

interface Layout {
  /** Byte offset of the table's column-name row (after `#Data:`), or -1. */
  table: number;
  /** Byte offset of the first data row, or -1. */
  data: number;
  /** The line separator the file uses. */
  eol: string;
}

function layout(text: string): Layout {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const marker = text.indexOf(`#Data:${eol}`);
  const table = marker === -1 ? -1 : marker + `#Data:${eol}`.length;
  const rowEnd = table === -1 ? -1 : text.indexOf(eol, table);
  return { table, data: rowEnd === -1 ? -1 : rowEnd + eol.length, eol };
}

const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng.next() * (max - min + 1));

/** The lines of the data table (without the column-name row), and the text before them. */
function splitTable(text: string): { head: string; names: string; rows: string[]; eol: string } | null {
  const { table, data, eol } = layout(text);
  if (table === -1 || data === -1) return null;
  const rows = text.slice(data).split(eol);
  return { head: text.slice(0, table), names: text.slice(table, data - eol.length), rows, eol };
}

function joinTable(t: { head: string; names: string; rows: string[]; eol: string }): string {
  return `${t.head}${t.names}${t.eol}${t.rows.join(t.eol)}`;
}

/** Indexes of the non-empty data rows. */
function rowIndexes(rows: string[]): number[] {
  return rows.flatMap((r, i) => (r.trim() === "" ? [] : [i]));
}

function dropLine(text: string, test: (line: string) => boolean): string {
  const { eol } = layout(text);
  return text.split(eol).filter((line) => !test(line)).join(eol);
}

/** Replaces some cells (never the first column) with what `cell` gives. */
function replaceCells(text: string, rng: Rng, count: number, cell: () => string): string {
  const t = splitTable(text);
  if (t === null) return text;
  const indexes = rowIndexes(t.rows);
  for (let k = 0; k < count && indexes.length > 0; k++) {
    const i = rng.pick(indexes);
    const cells = (t.rows[i] ?? "").split(",");
    cells[int(rng, 0, cells.length - 1)] = cell();
    t.rows[i] = cells.join(",");
  }
  return joinTable(t);
}

/** The mutated bytes of a raw file. */
export function mutate(original: Buffer, kind: MutationKind, rng: Rng): Buffer {
  const text = original.toString("utf8");
  const { table, data, eol } = layout(text);
  const utf8 = (s: string): Buffer => Buffer.from(s, "utf8");
  switch (kind) {
    case "truncate-header":
      return original.subarray(0, int(rng, 1, Math.max(1, (table === -1 ? original.length : Buffer.byteLength(text.slice(0, table))) - 1)));
    case "truncate-table": {
      const from = data === -1 ? 0 : Buffer.byteLength(text.slice(0, data));
      return original.subarray(0, int(rng, from, original.length - 1));
    }
    case "truncate-mid-number": {
      // Cut right after a digit that is followed by another digit or a dot: the last cell is a partial number.
      const from = data === -1 ? 0 : Buffer.byteLength(text.slice(0, data));
      const candidates: number[] = [];
      for (let i = from; i < original.length - 1; i++) {
        const c = original[i] ?? 0;
        const d = original[i + 1] ?? 0;
        if (c >= 0x30 && c <= 0x39 && ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65)) candidates.push(i + 1);
      }
      return candidates.length === 0 ? original.subarray(0, original.length - 1) : original.subarray(0, rng.pick(candidates));
    }
    case "bit-flips": {
      const out = Buffer.from(original);
      const flips = int(rng, 1, 20);
      for (let k = 0; k < flips && out.length > 0; k++) {
        const at = int(rng, 0, out.length - 1);
        out[at] = (out[at] ?? 0) ^ (1 << int(rng, 0, 7));
      }
      return out;
    }
    case "utf16le":
      return Buffer.from(text, "utf16le");
    case "utf16le-bom":
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    case "latin1-non-ascii": {
      // Accented characters in a header value and in a few cells, written as latin1 (not UTF-8).
      const accented = text.replace(/(#\tInformation: )([^\r\n]*)/, "$1$2 température µ°").replace(/(#\tSample: )([^\r\n]*)/, "$1$2 é");
      return Buffer.from(replaceCells(accented, rng, int(rng, 0, 2), () => rng.pick(["1,5", "2·10⁻³", "µ", "ñ"])), "latin1");
    }
    case "huge-cell": {
      // One cell of 5–20 MB in the middle of the table.
      const t = splitTable(text);
      if (t === null) return Buffer.concat([original, Buffer.alloc(5 << 20, 0x37)]);
      const indexes = rowIndexes(t.rows);
      const i = indexes[Math.floor(indexes.length / 2)] ?? 0;
      const cells = (t.rows[i] ?? "").split(",");
      cells[1] = "9".repeat(int(rng, 5, 20) << 20);
      t.rows[i] = cells.join(",");
      return utf8(joinTable(t));
    }
    case "huge-line-no-newline":
      // 1 MB at the end of the file, with no newline after it.
      return Buffer.concat([original, Buffer.from(rng.pick(["1", "x", ","]).repeat(1 << 20), "latin1")]);
    case "huge-header-line": {
      // A header line of 1–2 MB: a field, or a line that is not a field.
      const line = rng.next() < 0.5 ? `#\tInformation: ${"x".repeat(int(rng, 1, 2) << 20)}` : `#${"?".repeat(int(rng, 1, 2) << 20)}`;
      return utf8(text.replace(`#Metadata:${eol}`, `${line}${eol}#Metadata:${eol}`));
    }
    case "drop-procedure":
      return utf8(dropLine(text, (l) => l.startsWith("#Procedure:")));
    case "drop-parameters":
      return utf8(dropLine(text, (l) => l === "#Parameters:"));
    case "drop-metadata":
      return utf8(dropLine(text, (l) => l === "#Metadata:"));
    case "drop-data":
      return utf8(dropLine(text, (l) => l === "#Data:"));
    case "drop-table-header": {
      const t = splitTable(text);
      return t === null ? original : utf8(`${t.head}${t.rows.join(t.eol)}`);
    }
    case "duplicate-header": {
      // The `#` block written twice: before the table, or once more in the middle of it.
      if (table === -1) return Buffer.concat([original, original]);
      const head = text.slice(0, table);
      if (rng.next() < 0.5) return utf8(head + text);
      const t = splitTable(text);
      if (t === null) return original;
      const at = int(rng, 1, Math.max(1, t.rows.length - 1));
      t.rows.splice(at, 0, ...head.split(eol).filter((l) => l !== ""));
      return utf8(joinTable(t));
    }
    case "crlf-to-lf":
      return eol === "\r\n" ? utf8(text.replaceAll("\r\n", "\n")) : utf8(text.replaceAll("\n", "\r\n"));
    case "lone-cr":
      // Old-Mac line ends: all of them, or a few lone CRs inside lines.
      if (rng.next() < 0.5) return utf8(text.replaceAll("\r\n", "\r").replaceAll("\n", "\r"));
      return insertBytes(original, rng, int(rng, 1, 5), () => Buffer.from([0x0d]));
    case "nul-bytes":
      return insertBytes(original, rng, int(rng, 1, 10), () => Buffer.alloc(int(rng, 1, 4)));
    case "empty":
      return Buffer.alloc(0);
    case "only-bom":
      return Buffer.from(BOM);
    case "swap-columns":
    case "swap-header-columns": {
      // Two columns swapped in the header and every row (consistent), or in the header only.
      const t = splitTable(text);
      if (t === null) return original;
      const names = t.names.split(",");
      if (names.length < 2) return original;
      const a = int(rng, 0, names.length - 1);
      const b = (a + int(rng, 1, names.length - 1)) % names.length;
      const swap = (cells: string[]): string[] => {
        const copy = [...cells];
        [copy[a], copy[b]] = [cells[b] ?? "", cells[a] ?? ""];
        return copy;
      };
      t.names = swap(names).join(",");
      if (kind === "swap-columns") t.rows = t.rows.map((r) => (r.trim() === "" ? r : swap(r.split(",")).join(",")));
      return utf8(joinTable(t));
    }
    case "extra-cells":
    case "missing-cells": {
      const t = splitTable(text);
      if (t === null) return original;
      const indexes = rowIndexes(t.rows);
      const n = int(rng, 1, 3);
      for (let k = 0; k < n && indexes.length > 0; k++) {
        const i = rng.pick(indexes);
        const cells = (t.rows[i] ?? "").split(",");
        if (kind === "extra-cells") cells.splice(int(rng, 0, cells.length), 0, rng.pick(["0.0", "nan", "", "1"]));
        else cells.splice(int(rng, 0, cells.length - 1), 1);
        t.rows[i] = cells.join(",");
      }
      return utf8(joinTable(t));
    }
    case "odd-numbers":
      return utf8(replaceCells(text, rng, int(rng, 1, 3), () => rng.pick(["1e999", "-1e999", "-inf", "+inf", "Infinity", "0x10", "1_000", "1.2.3", "--1", "1e", "NAN", "nan(0)", " 1 ", "١٢"])));
    case "long-numbers":
      return utf8(replaceCells(text, rng, int(rng, 1, 3), () => rng.pick(["0.", "-", "1"]) + "1234567890".repeat(int(rng, 5, 500)) + rng.pick(["", "e-5", "e308", "e-400"])));
  }
}

/** `count` insertions of `bytes()` at random offsets. */
function insertBytes(original: Buffer, rng: Rng, count: number, bytes: () => Buffer): Buffer {
  const cuts = Array.from({ length: count }, () => int(rng, 0, original.length)).sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    parts.push(original.subarray(from, cut), bytes());
    from = cut;
  }
  parts.push(original.subarray(from));
  return Buffer.concat(parts);
}

/** A stream for one variant: reproducible from the fuzz seed, the source file and the variant number. */
export function variantRng(seed: number, source: string, kind: MutationKind, n: number): Rng {
  return createRng(seed, `${source}|${kind}|${n}`);
}
