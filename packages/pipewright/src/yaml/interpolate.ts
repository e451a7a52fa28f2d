import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Scalar } from "yaml";

/**
 * `${NAME}` and `${NAME:-default}` substitution in YAML scalar values.
 * `$${` is a literal `${`; `${{ ... }}` is a future expression syntax and is left as it is.
 */

/** The value of a variable, or undefined when it is not set. */
export type VariableLookup = (name: string) => string | undefined;

export interface PlaceholderProblem {
  message: string;
  /** Index in the input of the `$` that starts the bad placeholder. */
  index: number;
}

export interface Interpolated {
  text: string;
  /** The input was exactly one `${...}` placeholder (so its value may take a YAML type). */
  whole: boolean;
  problems: PlaceholderProblem[];
}

const PLACEHOLDER_BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([^]*))?$/;

export function interpolate(input: string, lookup: VariableLookup): Interpolated {
  const problems: PlaceholderProblem[] = [];
  let text = "";
  let i = 0;
  while (i < input.length) {
    const dollar = input.indexOf("$", i);
    if (dollar < 0) {
      text += input.slice(i);
      break;
    }
    text += input.slice(i, dollar);
    if (input.startsWith("$${", dollar)) {
      text += "${";
      i = dollar + 3;
    } else if (input.startsWith("${{", dollar)) {
      const end = input.indexOf("}}", dollar + 3);
      i = end < 0 ? input.length : end + 2;
      text += input.slice(dollar, i);
    } else if (!input.startsWith("${", dollar)) {
      text += "$";
      i = dollar + 1;
    } else {
      const close = input.indexOf("}", dollar + 2);
      if (close < 0) {
        problems.push({ index: dollar, message: `unclosed placeholder "${input.slice(dollar)}": add a "}" (or write $\${ for a literal \${)` });
        text += input.slice(dollar);
        break;
      }
      const placeholder = input.slice(dollar, close + 1);
      const match = PLACEHOLDER_BODY.exec(input.slice(dollar + 2, close));
      const name = match?.[1];
      const fallback = match?.[2];
      if (name === undefined || fallback?.includes("${")) {
        problems.push({
          index: dollar,
          message:
            `malformed placeholder "${placeholder}": write \${NAME} or \${NAME:-default}, where NAME is letters, digits and _ ` +
            `and does not start with a digit (or write $\${ for a literal \${)`,
        });
        text += placeholder;
      } else {
        const value = lookup(name) ?? fallback;
        if (value === undefined) {
          problems.push({
            index: dollar,
            message: `unset variable \${${name}} (give it with --param ${name}=... or set it in the environment)`,
          });
        }
        text += value ?? placeholder;
      }
      i = close + 1;
    }
  }
  const whole = /^\$\{[^{}]*\}$/.test(input);
  return { text, whole, problems };
}

/** Escapes a string so that `interpolate` gives it back unchanged (what the YAML writer uses). */
export function escapeInterpolation(text: string): string {
  return text.replaceAll("${", () => "$${"); // a function: in a replacement string "$$" means "$"
}

/** The first source that has the variable wins. Only own keys count: `${constructor}` is not `Object`'s. */
export function variableLookup(...sources: readonly Readonly<Record<string, string | undefined>>[]): VariableLookup {
  return (name) => {
    for (const source of sources) {
      const value = Object.hasOwn(source, name) ? source[name] : undefined;
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

/**
 * What `text` means as a plain YAML scalar of the core schema: "67" → 67, "true" → true, "~" → null.
 * Anything else (text, a list, a comment, a tag, surrounding spaces) stays the string.
 */
export function yamlScalarValue(text: string): unknown {
  const doc = parseDocument(text, { schema: "core" });
  const node = doc.contents;
  const plain =
    doc.errors.length === 0 &&
    doc.warnings.length === 0 &&
    isScalar(node) &&
    node.type === "PLAIN" &&
    node.tag === undefined &&
    node.anchor === undefined &&
    node.range?.[0] === 0 &&
    node.range[1] === text.length;
  return plain && typeof node.value !== "string" ? node.value : text;
}

export interface ScalarProblem {
  message: string;
  node: Scalar;
  /** Offset in the source of the bad placeholder (or of the scalar when it cannot be pinned down). */
  offset: number;
}

/**
 * Substitutes variables in every scalar value of the document, in place. Keys, aliases and the
 * top-level `params:` (the defaults themselves) are left alone. Scalars with a problem are not changed.
 */
export function interpolateDocument(doc: Document, source: string, lookup: VariableLookup): ScalarProblem[] {
  const problems: ScalarProblem[] = [];
  const visitScalar = (node: Scalar) => {
    if (typeof node.value !== "string" || !node.value.includes("$")) return;
    const result = interpolate(node.value, lookup);
    for (const problem of result.problems) {
      problems.push({ message: problem.message, node, offset: offsetInSource(node, node.value, source, problem.index) });
    }
    if (result.problems.length > 0) return;
    // Only an unquoted, untagged `key: ${X}` takes the type of X's value; quoting means "a string".
    const typed = result.whole && node.type === "PLAIN" && node.tag === undefined;
    node.value = typed ? yamlScalarValue(result.text) : result.text;
  };
  const walk = (node: unknown): void => {
    if (isScalar(node)) visitScalar(node);
    else if (isMap(node)) for (const pair of node.items) walk(pair.value);
    else if (isSeq(node)) for (const item of node.items) walk(item);
  };
  const root = doc.contents;
  if (isMap(root)) {
    for (const pair of root.items) if (!(isScalar(pair.key) && pair.key.value === "params")) walk(pair.value);
  } else {
    walk(root);
  }
  return problems;
}

/** Where `index` of a scalar's value is in the source: exact for one-line plain or quoted scalars without escapes. */
function offsetInSource(node: Node, value: string, source: string, index: number): number {
  const [start, end] = node.range ?? [0, 0];
  const raw = source.slice(start, end);
  if (raw === value) return start + index;
  if (raw.length === value.length + 2 && raw.slice(1, -1) === value) return start + 1 + index;
  return start;
}
