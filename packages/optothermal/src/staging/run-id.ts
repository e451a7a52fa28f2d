import { createHash } from "node:crypto";

/**
 * A run's id: the first 16 hex digits of SHA-256 over the procedure, the chip, the start time and
 * the data bytes after the table header. The path is not part of it, so a copy keeps its id.
 * @example runId("IVg", { group: "Alisson", number: 80 }, start, bytes.subarray(dataOffset)) // "3f9c0a..."
 */
export function runId(procedure: string, chip: { group: string; number: number } | null, startTime: Date | null, data: Uint8Array): string {
  const hash = createHash("sha256");
  const chipText = chip === null ? "" : `${chip.group}\u0000${chip.number}`;
  hash.update(`${procedure}\u0000${chipText}\u0000${startTime === null ? "" : startTime.getTime()}\u0000`);
  hash.update(data);
  return hash.digest("hex").slice(0, 16);
}
