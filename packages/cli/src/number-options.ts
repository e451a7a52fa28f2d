import { ValidationError } from "pipewright";

/** A parser for an option that takes a whole number ≥ `min` (`--limit`, `--keep`). */
export function wholeNumber(flag: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min) throw new ValidationError(`Expected ${flag} to be a whole number ≥ ${min}, got \`${value}\``);
    return n;
  };
}

/** `--older-than DAYS`: a number of days ≥ 0, fractions allowed (0.5 is twelve hours). */
export function parseDays(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new ValidationError(`Expected --older-than to be a number of days ≥ 0, got \`${value}\``);
  return n;
}
