import type { Node } from "yaml";

/**
 * Where `index` of a scalar's value is in the source, so that a problem inside a string (a bad
 * placeholder, an expression error) is reported at its column. Exact for one-line plain scalars and
 * one-line quoted ones (escapes included); otherwise, and when the value is no longer what is written
 * (a placeholder was substituted), the start of the scalar.
 */
export function offsetInSource(node: Node, value: string, source: string, index: number): number {
  const [start, end] = node.range ?? [0, 0];
  const raw = source.slice(start, end);
  if (raw.includes("\n")) return start;
  if (raw === value) return start + index;
  const units = quotedUnits(raw);
  const offset = units?.text === value ? units.offsets[index] : undefined;
  return offset === undefined ? start : start + offset;
}

const ESCAPES: Readonly<Record<string, string>> = {
  "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b",
  " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\x85", _: "\xa0", L: "\u2028", P: "\u2029",
};
const HEX_DIGITS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** The value of a quoted scalar, and for each of its UTF-16 units (and its end) the offset in `raw`. */
function quotedUnits(raw: string): { text: string; offsets: number[] } | undefined {
  const quote = raw[0];
  if ((quote !== "'" && quote !== '"') || raw.length < 2 || raw.at(-1) !== quote) return undefined;
  let text = "";
  const offsets: number[] = [];
  let i = 1;
  while (i < raw.length - 1) {
    let char = raw.charAt(i);
    let width = 1;
    if (quote === "'" && raw.startsWith("''", i)) {
      width = 2;
    } else if (quote === '"' && char === "\\") {
      const code = raw.charAt(i + 1);
      const digits = HEX_DIGITS[code];
      const point = digits ? Number.parseInt(raw.slice(i + 2, i + 2 + digits), 16) : Number.NaN;
      const decoded = digits ? (Number.isNaN(point) || point > 0x10ffff ? undefined : String.fromCodePoint(point)) : ESCAPES[code];
      if (decoded === undefined) return undefined;
      [char, width] = [decoded, 2 + (digits ?? 0)];
    }
    for (let k = 0; k < char.length; k++) offsets.push(i);
    text += char;
    i += width;
  }
  offsets.push(i);
  return { text, offsets };
}
