/**
 * Numbers as the lab's Python acquisition software writes them (`repr(float)`): shortest
 * round-trip digits, `0.0` for whole numbers, exponent form below 1e-4 with a two-digit exponent
 * (`4.042624e-05`), and `nan`. Hot (every cell of every file), hence plain string work.
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e16) {
    // JavaScript and Python agree on the digits here; Python only adds `.0` to whole numbers.
    const fixed = String(x);
    return fixed.includes(".") ? fixed : `${fixed}.0`;
  }
  const text = x.toExponential();
  const e = text.indexOf("e");
  const exponent = text.slice(e + 2);
  return `${text.slice(0, e + 2)}${exponent.length === 1 ? "0" : ""}${exponent}`;
}

/** Rounds to `digits` significant digits, as an instrument reading does (the Keithley gives 7). */
export function roundSig(x: number, digits: number): number {
  return Number(x.toPrecision(digits));
}
