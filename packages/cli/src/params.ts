import { ValidationError } from "pipewright";

/** Collects repeated `--param KEY=VALUE` options into an object; commander calls it once per option. */
export function collectParam(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf("=");
  const key = eq > 0 ? value.slice(0, eq) : "";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
    throw new ValidationError(`Expected --param KEY=VALUE with KEY made of letters, digits and _, got \`${value}\``);
  }
  return { ...previous, [key]: value.slice(eq + 1) };
}

/** Collects repeated options into a list. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--concurrency N`: a whole number ≥ 1. */
export function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1) throw new ValidationError(`Expected --concurrency to be a whole number ≥ 1, got \`${value}\``);
  return n;
}
