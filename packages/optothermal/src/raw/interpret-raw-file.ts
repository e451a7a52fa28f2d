import type { Catalogue, ColumnSpec, FieldSpec, ProcedureSpec } from "../catalogue/catalogue-schema.js";
import { parseNumber } from "./parse-number.js";
import type { RawField, RawHeader } from "./parse-raw-header.js";
import { rawProblem, type RawProblem } from "./raw-problem.js";

/** A typed header value; `timestamp` fields become a `Date`, `nan` becomes null. */
export type FieldValue = number | string | boolean | Date | null;

/** A raw file's header typed and named by the catalogue. */
export interface RawInterpretation {
  path: string;
  procedure: string | null;
  /** The catalogue entry, or null when the procedure is missing or unknown. */
  spec: ProcedureSpec | null;
  /** By catalogue key (`vds`, `laser_wavelength`, ...); only fields present in the file. */
  parameters: Record<string, FieldValue>;
  metadata: Record<string, FieldValue>;
  chip: { group: string; number: number } | null;
  /** From the `start_time` metadata (Unix epoch seconds). */
  startTime: Date | null;
  /** The table's known columns in file order, with their catalogue key. */
  columns: { name: string; key: string; type: ColumnSpec["type"]; index: number }[];
  /** Names in the file that the catalogue does not describe: not problems, but worth a catalogue entry. */
  unknown: { parameters: string[]; metadata: string[]; columns: string[] };
  /** The header's own problems, then the catalogue's; empty for a clean file. */
  problems: RawProblem[];
}

const CHIP_KEYS = new Set(["chip_group", "chip_number"]);

/** `record[name]` for names read from a file: `constructor` or `__proto__` must not reach Object.prototype. */
function own<T>(record: Record<string, T>, name: string): T | null {
  return Object.hasOwn(record, name) ? (record[name] ?? null) : null;
}

/**
 * Types and checks a parsed header against the catalogue: unknown procedure, missing chip, required
 * fields and columns, values that do not parse or carry the wrong unit.
 * @example interpretRawFile(parseRawHeader(text, path), catalogue).chip // { group: "Alisson", number: 80 }
 */
export function interpretRawFile(header: RawHeader, catalogue: Catalogue): RawInterpretation {
  const { path, procedure } = header;
  const spec = procedure === null ? null : own(catalogue.procedures, procedure);
  const result: RawInterpretation = {
    path, procedure, spec, parameters: {}, metadata: {}, chip: null, startTime: null, columns: [],
    unknown: { parameters: [], metadata: [], columns: [] },
    problems: [...header.problems],
  };
  if (procedure !== null && spec === null) {
    const known = Object.keys(catalogue.procedures).join(", ");
    result.problems.push(rawProblem("unknown-procedure", path, 1, `procedure \`${procedure}\` is not in the catalogue (known: ${known})`));
  }
  if (spec === null) return result;

  const parameters = typeFields("parameters", header, spec, result);
  const metadata = typeFields("metadata", header, spec, result);
  result.parameters = Object.fromEntries(parameters);
  result.metadata = Object.fromEntries(metadata);
  const group = result.parameters.chip_group;
  const number = result.parameters.chip_number;
  if (typeof group === "string" && group !== "" && typeof number === "number") result.chip = { group, number };
  else if (spec.needsChip) {
    // A chip field that is present but unreadable is already a bad value.
    const missing = Object.entries(spec.parameters).filter(([name, f]) => CHIP_KEYS.has(f.key) && !(own(header.parameters, name)?.raw ?? ""));
    if (missing.length > 0) {
      const names = missing.map(([name]) => `\`${name}\``).join(" and ");
      result.problems.push(rawProblem("missing-chip", path, header.endLine, `${procedure} needs a chip, but the header has no ${names}`));
    }
  }
  const start = result.metadata.start_time;
  result.startTime = start instanceof Date ? start : null;
  checkColumns(header, spec, result);
  return result;
}

function typeFields(section: "parameters" | "metadata", header: RawHeader, spec: ProcedureSpec, result: RawInterpretation): [string, FieldValue][] {
  const found = header[section];
  const typed: [string, FieldValue][] = [];
  for (const [name, field] of Object.entries(found)) {
    const fieldSpec = own(spec[section], name);
    if (fieldSpec === null) result.unknown[section].push(name);
    else typed.push([fieldSpec.key, typeField(name, field, fieldSpec, result)]);
  }
  for (const [name, fieldSpec] of Object.entries(spec[section])) {
    // A missing chip is reported once, as such.
    if (!fieldSpec.required || Object.hasOwn(found, name) || (spec.needsChip && CHIP_KEYS.has(fieldSpec.key))) continue;
    const what = section === "parameters" ? "#Parameters:" : "#Metadata:";
    result.problems.push(rawProblem("missing-field", header.path, header.endLine, `no \`${name}\` under \`${what}\` (required for ${header.procedure})`));
  }
  return typed;
}

function typeField(name: string, field: RawField, spec: FieldSpec, result: RawInterpretation): FieldValue {
  const bad = (kind: "bad-value" | "unit-mismatch", text: string): null => {
    result.problems.push(rawProblem(kind, result.path, field.line, `\`${name}\`: ${text}`));
    return null;
  };
  if (spec.type === "string") return field.raw;
  if (spec.type === "bool") {
    const text = field.raw.toLowerCase();
    return text === "true" || text === "false" ? text === "true" : bad("bad-value", `\`${field.raw}\` is not True or False`);
  }
  const value = parseNumber(field.value);
  if (value === undefined) return bad("bad-value", `\`${field.raw}\` is not a number${spec.unit ? ` (in ${spec.unit})` : ""}`);
  if (field.unit !== null && field.unit !== spec.unit) {
    return bad("unit-mismatch", `\`${field.raw}\`: expected ${spec.unit ? `a value in ${spec.unit}` : "a plain number"}, found unit \`${field.unit}\``);
  }
  if (spec.type === "int" && value !== null && !Number.isInteger(value)) return bad("bad-value", `\`${field.raw}\` is not an integer`);
  if (spec.type === "timestamp" && value !== null) return new Date(value * 1000);
  return value;
}

function checkColumns(header: RawHeader, spec: ProcedureSpec, result: RawInterpretation): void {
  header.columns.forEach((name, index) => {
    const column = own(spec.columns, name);
    if (column === null) result.unknown.columns.push(name);
    else result.columns.push({ name, key: column.key, type: column.type, index });
  });
  if (header.tableLine === null) return; // already a header problem
  for (const [name, column] of Object.entries(spec.columns)) {
    if (column.required && !header.columns.includes(name)) {
      result.problems.push(rawProblem("missing-column", header.path, header.tableLine, `no column \`${name}\` in the table (required for ${header.procedure})`));
    }
  }
}
