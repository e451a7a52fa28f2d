import { isMap, isScalar, isSeq, parseDocument, type Scalar } from "yaml";
import { offsetInSource } from "./source-offsets.js";

/**
 * `${NAME}` and `${NAME:-default}` substitution in YAML scalar values.
 * `$${` is a literal `${`; `${{ ... }}` expressions are left as they are (the engine evaluates them).
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

/** What an "unset variable" message suggests: `--param` where the pipeline is run, `params:` where it is included. */
export type UnsetHint = (name: string) => string;
export const RUN_HINT: UnsetHint = (name) => `give it with --param ${name}=... or set it in the environment`;
export const NESTED_HINT: UnsetHint = () => "give it in the params: of the entry that includes this pipeline, or set it in the environment";

export function interpolate(input: string, lookup: VariableLookup, hint: UnsetHint = RUN_HINT): Interpolated {
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
            message: `unset variable \${${name}} (${hint(name)})`,
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

/**
 * Escapes a string so that `interpolate` gives it back unchanged (what the YAML writer uses).
 * `${{ expressions }}` stay readable: interpolate() copies them verbatim, so they need no escape, except
 * right after a `$`, where they would read as the `$${` escape.
 */
export function escapeInterpolation(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("${", i);
    if (dollar < 0) return out + text.slice(i);
    out += text.slice(i, dollar);
    if (text.startsWith("${{", dollar) && !out.endsWith("$")) {
      const end = text.indexOf("}}", dollar + 3);
      i = end < 0 ? text.length : end + 2;
      out += text.slice(dollar, i);
    } else {
      out += "$${";
      i = dollar + 2;
    }
  }
  return out;
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
 * Substitutes variables in every scalar value under `root`, in place, except under the nodes in `skip`.
 * Keys and aliases are left alone. Scalars with a problem are not changed.
 */
export function interpolateNode(
  root: unknown,
  source: string,
  lookup: VariableLookup,
  hint: UnsetHint,
  skip: ReadonlySet<unknown>,
): ScalarProblem[] {
  const problems: ScalarProblem[] = [];
  const visitScalar = (node: Scalar) => {
    if (typeof node.value !== "string" || !node.value.includes("$")) return;
    const result = interpolate(node.value, lookup, hint);
    for (const problem of result.problems) {
      problems.push({ message: problem.message, node, offset: offsetInSource(node, node.value, source, problem.index) });
    }
    if (result.problems.length > 0) return;
    // Only an unquoted, untagged `key: ${X}` takes the type of X's value; quoting means "a string".
    const typed = result.whole && node.type === "PLAIN" && node.tag === undefined;
    node.value = typed ? yamlScalarValue(result.text) : result.text;
    node.source = result.text; // the text the value stands for, as if written there (scalarText reads it)
  };
  const walk = (node: unknown): void => {
    if (skip.has(node)) return;
    if (isScalar(node)) visitScalar(node);
    else if (isMap(node)) for (const pair of node.items) walk(pair.value);
    else if (isSeq(node)) for (const item of node.items) walk(item);
  };
  walk(root);
  return problems;
}

/** A scalar as the text written (after substitution): `67`, not 67; what params hold. Undefined for other nodes. */
function scalarText(node: unknown): string | undefined {
  if (!isScalar(node) || !["string", "number", "boolean"].includes(typeof node.value)) return undefined;
  return node.source ?? String(node.value);
}

/** The scalar entries of a mapping node as text (`params:` blocks). */
export function scalarTexts(node: unknown): Record<string, string> {
  if (!isMap(node)) return {};
  const entries = node.items.flatMap((pair) => {
    const text = scalarText(pair.value);
    return isScalar(pair.key) && text !== undefined ? [[String(pair.key.value), text] as const] : [];
  });
  return Object.fromEntries(entries); // fromEntries defines own properties: a `__proto__` key is data.
}
