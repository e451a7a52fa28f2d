import { visibleWidth } from "./text-width.js";

export const HIDE_CURSOR = "\u001b[?25l";
export const SHOW_CURSOR = "\u001b[?25h";
const CLEAR_TO_END = "\u001b[J";
const up = (rows: number) => `\r\u001b[${rows}A`;

/**
 * The bottom of the screen the display rewrites: each frame moves the cursor up over the last frame,
 * clears to the end of the screen and writes the lines that go above (they stay), then the new live
 * lines — one write, so the rest of the screen never flickers.
 */
export class LiveArea {
  readonly #write: (text: string) => void;
  /** Visible widths of the live lines on screen now, to know how many rows they take. */
  #widths: number[] = [];
  #last = "";

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  /** Draws a frame. `columns` is the width now: after a resize the old lines may have been re-wrapped. */
  draw(above: readonly string[], live: readonly string[], columns: number): void {
    const text = live.join("\n");
    if (above.length === 0 && text === this.#last) return; // nothing moved: write nothing
    let frame = this.#erase(columns);
    if (above.length > 0) frame += `${above.join("\n")}\n`;
    if (live.length > 0) frame += `${text}\n`;
    this.#write(frame);
    this.#widths = live.map(visibleWidth);
    this.#last = text;
  }

  /** Erases the live lines (the lines above stay); the cursor ends where the live area began. */
  clear(columns: number): void {
    const erase = this.#erase(columns);
    if (erase) this.#write(erase);
    this.#widths = [];
    this.#last = "";
  }

  /** Forces the next `draw` to write even if its lines are the same (after a resize, or someone else wrote). */
  invalidate(): void {
    this.#last = "\u0000";
  }

  /** Rows the live lines take at `columns`: a terminal that re-wraps on resize may have split them. */
  rows(columns: number): number {
    let rows = 0;
    for (const width of this.#widths) rows += Math.max(1, Math.ceil(width / Math.max(1, columns)));
    return rows;
  }

  #erase(columns: number): string {
    const rows = this.rows(columns);
    return rows > 0 ? up(rows) + CLEAR_TO_END : "";
  }
}
