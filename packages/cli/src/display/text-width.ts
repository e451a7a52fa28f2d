/**
 * Terminal text measured in columns: escape sequences take none, East Asian wide characters and
 * emoji take two. The live display truncates with these, since a wrapped line would break its
 * count of the rows it must redraw.
 */

// SGR (colour) sequences are kept; every other escape sequence is dropped by `sanitize`.
/* eslint-disable no-control-regex -- escape sequences and control characters are what this module handles */
const ESCAPE = /\u001b\[[0-9;?]*[ -/]*[@-~]/y;
const SGR = /^\u001b\[[0-9;]*m$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
/* eslint-enable no-control-regex */

/** Columns a code point takes: 0 (combining, zero-width), 1, or 2 (wide). */
export function codePointWidth(cp: number): number {
  if (cp < 0x300) return 1;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Columns `text` takes on a terminal (escape sequences excluded). */
export function visibleWidth(text: string): number {
  let width = 0;
  for (let i = 0; i < text.length; ) {
    if (text.charCodeAt(i) === 0x1b) {
      ESCAPE.lastIndex = i;
      if (ESCAPE.test(text)) {
        i = ESCAPE.lastIndex;
        continue;
      }
    }
    const cp = text.codePointAt(i) ?? 0;
    width += codePointWidth(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return width;
}

/**
 * `text` cut to at most `width` columns, ending in "…" when cut; colour sequences are kept and
 * closed, so that a cut never leaves the terminal coloured.
 */
export function truncate(text: string, width: number): string {
  if (width <= 0) return "";
  let used = 0;
  let coloured = false;
  for (let i = 0; i < text.length; ) {
    if (text.charCodeAt(i) === 0x1b) {
      ESCAPE.lastIndex = i;
      if (ESCAPE.test(text)) {
        coloured = true;
        i = ESCAPE.lastIndex;
        continue;
      }
    }
    const cp = text.codePointAt(i) ?? 0;
    const w = codePointWidth(cp);
    if (used + w > width) return cutAt(text, i, width, used, coloured);
    used += w;
    i += cp > 0xffff ? 2 : 1;
  }
  return text;
}

/** Cuts before index `end`, dropping characters until "…" fits in `width`. */
function cutAt(text: string, end: number, width: number, used: number, coloured: boolean): string {
  let kept = text.slice(0, end);
  let keptWidth = used;
  while (keptWidth + 1 > width && kept.length > 0) {
    const cp = kept.codePointAt(kept.length - 1) ?? 0;
    const last = cp >= 0xdc00 && cp <= 0xdfff ? 2 : 1; // a low surrogate: drop the pair
    keptWidth -= codePointWidth(kept.codePointAt(kept.length - last) ?? 0);
    kept = kept.slice(0, -last);
  }
  return `${kept}…${coloured ? "\u001b[0m" : ""}`;
}

/**
 * Text from a step (its log, its error) made safe to draw: tabs become spaces, colour sequences stay,
 * and other control characters and escape sequences (cursor moves, `\r`) go — they would move the
 * cursor under the live display's feet.
 */
export function sanitize(text: string): string {
  if (!CONTROL.test(text)) return text; // the usual case: nothing to do
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x1b) {
      ESCAPE.lastIndex = i;
      if (ESCAPE.test(text)) {
        const sequence = text.slice(i, ESCAPE.lastIndex);
        if (SGR.test(sequence)) out += sequence;
        i = ESCAPE.lastIndex - 1;
      }
      continue;
    }
    if (code === 0x09) out += "    ";
    else if (code >= 0x20 && code !== 0x7f) out += text[i];
  }
  return out;
}
