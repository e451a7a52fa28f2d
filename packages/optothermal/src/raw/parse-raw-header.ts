import { asBuffer } from "./bytes.js";
import { splitUnit } from "./parse-number.js";
import { rawProblem, type RawProblem } from "./raw-problem.js";

/** A `#<TAB>Name: value unit` header line, untyped. */
export interface RawField {
  /** The text after `Name:`, as written (trailing spaces removed). */
  raw: string;
  /** `raw` without a trailing unit when it is a number and a unit (`0.1 V` → `0.1`), else `raw`. */
  value: string;
  unit: string | null;
  line: number;
}

/** The `#` header of a raw file, read without the catalogue. */
export interface RawHeader {
  path: string;
  /** The last dotted part of `#Procedure: <pkg.procedures.IVg.IVg>`, or null when absent. */
  procedure: string | null;
  parameters: Record<string, RawField>;
  metadata: Record<string, RawField>;
  /** The data table's column names, in file order; empty when there is no table header. */
  columns: string[];
  /** 1-based line of the table's column-name row: a CSV reader skips `tableLine - 1` lines. Null without one. */
  tableLine: number | null;
  /** Byte offset of that row in the file (after a BOM, which counts). Null without one. */
  tableOffset: number | null;
  /** The line where the header ends: `#Data:`, or the last line read when it never came. */
  endLine: number;
  /** Problems of the header's form: missing `#Procedure:` or `#Data:`, unreadable lines. */
  problems: RawProblem[];
}

type Section = "preamble" | "parameters" | "metadata";
const SECTIONS: Record<string, Section> = { "#Parameters:": "parameters", "#Metadata:": "metadata" };
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Reads the header of a raw measurement file, up to and including the table's column names; the
 * table itself is not read. Accepts CRLF or LF, a UTF-8 BOM and trailing spaces. Never throws: what
 * is wrong is listed in `problems`.
 * @example parseRawHeader(await readFile(path), path).procedure // "IVg"
 */
export function parseRawHeader(content: string | Uint8Array, path: string): RawHeader {
  const bytes = asBuffer(content);
  const header: RawHeader = { path, procedure: null, parameters: {}, metadata: {}, columns: [], tableLine: null, tableOffset: null, endLine: 0, problems: [] };
  const fields: Record<Section, [string, RawField][]> = { preamble: [], parameters: [], metadata: [] };
  let section: Section = "preamble";
  let dataSeen = false;
  let offset = BOM.every((b, i) => bytes[i] === b) ? BOM.length : 0;
  let lineNo = 0;
  const notText = notUtf8Text(bytes, offset);
  if (notText !== null) {
    // Found by fuzzing: read line by line, a UTF-16 file gave reasons about its lines
    // (`#\0P\0r\0o…` is not a header line) instead of what is wrong with the whole file.
    header.problems.push(rawProblem("not-text", path, 1, notText));
    return header;
  }

  while (offset < bytes.length) {
    const newline = bytes.indexOf(0x0a, offset);
    const end = newline === -1 ? bytes.length : newline;
    const line = bytes.toString("utf8", offset, end).trimEnd();
    const lineOffset = offset;
    offset = end + 1;
    lineNo++;
    if (line === "" || line === "#") continue;

    if (dataSeen) {
      if (line.startsWith("#")) header.problems.push(rawProblem("no-table-header", path, lineNo, `expected the table's column names after \`#Data:\`, found \`${excerpt(line)}\``));
      else {
        header.columns = line.split(",").map((c) => c.trim());
        header.tableLine = lineNo;
        header.tableOffset = lineOffset;
      }
      break;
    }
    header.endLine = lineNo;
    if (line === "#Data:") {
      dataSeen = true;
    } else if (line.startsWith("#Procedure:")) {
      header.procedure = procedureName(line.slice("#Procedure:".length));
      if (header.procedure === null) header.problems.push(rawProblem("no-procedure", path, lineNo, `cannot read the procedure name in \`${excerpt(line)}\``));
    } else if (line in SECTIONS) {
      section = SECTIONS[line] ?? section;
    } else if (line.startsWith("#")) {
      const field = readField(line.slice(1).trim(), lineNo);
      if (field === null || section === "preamble") {
        header.problems.push(rawProblem("bad-header-line", path, lineNo, `expected \`#<TAB>Name: value\` under \`#Parameters:\` or \`#Metadata:\`, found \`${excerpt(line)}\``));
      } else fields[section].push(field);
    } else {
      // A table without `#Data:` before it: the header is not what the software writes.
      header.problems.push(rawProblem("no-data-section", path, lineNo, `no \`#Data:\` line before the table (found \`${excerpt(line)}\`)`));
      break;
    }
  }

  if (!dataSeen && !header.problems.some((p) => p.kind === "no-data-section")) {
    header.problems.push(rawProblem("no-data-section", path, lineNo, "the header ends without a `#Data:` line (truncated file?)"));
  } else if (dataSeen && header.tableLine === null && !header.problems.some((p) => p.kind === "no-table-header")) {
    header.problems.push(rawProblem("no-table-header", path, lineNo, "`#Data:` is not followed by the table's column names"));
  }
  if (header.procedure === null && !header.problems.some((p) => p.kind === "no-procedure")) {
    header.problems.unshift(rawProblem("no-procedure", path, 1, "no `#Procedure:` line"));
  }
  // fromEntries: names come from the file, and a `__proto__` name must stay data.
  header.parameters = Object.fromEntries(fields.parameters);
  header.metadata = Object.fromEntries(fields.metadata);
  return header;
}

/**
 * A line quoted in a problem: its start, so that a reason stays one readable line (found by fuzzing:
 * a header line of megabytes was quoted whole in the reason, and so in the rejects file).
 */
function excerpt(line: string): string {
  return line.length <= 80 ? line : `${line.slice(0, 60)}… (${line.length} characters)`;
}

/** Why the bytes cannot be a raw file's text (UTF-16, NUL bytes in the header), or null. */
function notUtf8Text(bytes: Buffer, start: number): string | null {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff) || (bytes[start + 1] === 0 && bytes[start] !== 0)) {
    return "the file is UTF-16 text, not UTF-8 as the acquisition software writes it (save it as UTF-8)";
  }
  // The header is small; a NUL byte in it means the file is damaged or not text.
  const data = bytes.indexOf("#Data:", start, "latin1");
  const nul = bytes.subarray(start, data === -1 ? Math.min(bytes.length, start + 64 * 1024) : data).indexOf(0);
  if (nul !== -1) return `a NUL byte at byte ${start + nul} in the header: the file is damaged or not text`;
  return null;
}

/** `<laser_setup.procedures.IVg.IVg>` → `IVg`. */
function procedureName(text: string): string | null {
  const name = text.trim().replace(/^<(.*)>$/, "$1").split(".").pop()?.trim();
  return name ? name : null;
}

function readField(body: string, line: number): [string, RawField] | null {
  const colon = body.indexOf(":");
  const name = body.slice(0, colon).trim();
  if (colon <= 0 || name === "") return null;
  const raw = body.slice(colon + 1).trim();
  return [name, { raw, ...splitUnit(raw), line }];
}
