import { Document, isMap, isSeq } from "yaml";
import type { PipelineSpec, StepSpec } from "../pipeline-spec.js";
import { isDefaultOption, type STEP_OPTION_DEFAULTS } from "../step-options.js";
import { escapeInterpolation } from "./interpolate.js";
import { STEP_OPTION_KEYS } from "./pipeline-schema.js";

/**
 * Writes a spec as a YAML pipeline file (snake_case, block style). Options equal to their defaults,
 * empty kwargs and source locations are left out; `${` in strings is escaped so it loads back as is.
 */
export function pipelineSpecToYaml(spec: PipelineSpec): string {
  const document = {
    name: escapeInterpolation(spec.name),
    ...(spec.description !== undefined && { description: escapeInterpolation(spec.description) }),
    // Parameter defaults are read as written, never interpolated: no escaping.
    ...(spec.params && Object.keys(spec.params).length > 0 && { params: spec.params }),
    steps: escapeStrings(spec.steps.map(stepToDocument)),
  };
  // No aliases: a value shared between steps is written out twice, like a person would.
  const doc = new Document(document, { aliasDuplicateObjects: false });
  const steps = isMap(doc.contents) ? doc.contents.get("steps", true) : undefined;
  if (isSeq(steps)) steps.items.forEach((step, i) => i > 0 && isMap(step) && (step.spaceBefore = true));
  return doc.toString();
}

function stepToDocument(step: StepSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: step.name };
  if (step.description !== undefined) out.description = step.description;
  out.command = step.command;
  if (Object.keys(step.args).length > 0) out.kwargs = step.args;
  for (const [yamlKey, key] of Object.entries<keyof typeof STEP_OPTION_DEFAULTS>(STEP_OPTION_KEYS)) {
    const value = step[key];
    if (value !== undefined && !isDefaultOption(key, value)) out[yamlKey] = value;
  }
  if (step.rollback) {
    const { command, args } = step.rollback;
    out.rollback = { command, ...(Object.keys(args).length > 0 && { kwargs: args }) };
  }
  return out;
}

/** Escapes `${` in every string value (not in keys, which are never interpolated). */
function escapeStrings(value: unknown): unknown {
  if (typeof value === "string") return escapeInterpolation(value);
  if (Array.isArray(value)) return value.map(escapeStrings);
  if (value !== null && typeof value === "object") {
    // fromEntries defines own properties, so a `__proto__` key stays data.
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, escapeStrings(item)]));
  }
  return value;
}
