const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const INFINITY = /^[-+]?inf(?:inity)?$/i;

/**
 * A number as the acquisition software (Python) writes it: `nan` (and an empty cell) is a missing
 * reading, `null`; `inf` is Infinity. Anything else that is not a plain decimal gives `undefined`.
 */
export function parseNumber(text: string): number | null | undefined {
  const t = text.trim();
  if (t === "" || t.toLowerCase() === "nan") return null;
  if (INFINITY.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  return NUMBER.test(t) ? Number(t) : undefined;
}

/** `0.1 V` → value `0.1`, unit `V`; anything that is not one number and one word stays whole. */
export function splitUnit(raw: string): { value: string; unit: string | null } {
  const match = /^(\S+)\s+(\S+)$/.exec(raw);
  if (match?.[1] !== undefined && match[2] !== undefined && parseNumber(match[1]) !== undefined) {
    return { value: match[1], unit: match[2] };
  }
  return { value: raw, unit: null };
}
