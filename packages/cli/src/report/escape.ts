const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "\n": "&#10;", "\r": "&#13;" };

/**
 * Text made safe for HTML and SVG, both between tags and inside quoted attributes. Every string that
 * comes from a checkpoint (names, errors, outputs, params) goes through here: step text is never markup.
 * Line breaks become character references (the same text to a browser), so that a step's text never
 * spans lines of the file: each row of the report is one line of HTML.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'\n\r]/g, (ch) => ENTITIES[ch] ?? ch);
}
