import { Document, isMap, isSeq } from "yaml";
import { isParallelGroupSpec, isSubpipelineSpec, type CommandStepSpec, type ExecutorSpec, type PipelineSpec, type StepSpec } from "../pipeline-spec.js";
import { isDefaultOption, type STEP_OPTION_DEFAULTS } from "../step-options.js";
import { escapeInterpolation } from "./interpolate.js";
import { STEP_OPTION_KEYS } from "./pipeline-schema.js";

/**
 * Writes a spec as a YAML pipeline file (snake_case, block style). Options equal to their defaults,
 * empty kwargs and source locations are left out; `${` in strings is escaped so it loads back as is.
 * A nested pipeline loaded from a file is written as that file's path, not as its steps.
 */
export function pipelineSpecToYaml(spec: PipelineSpec): string {
  // No aliases: a value shared between steps is written out twice, like a person would.
  const doc = new Document(pipelineToDocument(spec), { aliasDuplicateObjects: false });
  const steps = isMap(doc.contents) ? doc.contents.get("steps", true) : undefined;
  if (isSeq(steps)) steps.items.forEach((step, i) => i > 0 && isMap(step) && (step.spaceBefore = true));
  flowDependsOn(doc.contents);
  return doc.toString({ flowCollectionPadding: false });
}

/** A pipeline mapping. An inline nested one leaves out its name when it is its entry's (what loading gives it). */
function pipelineToDocument(spec: PipelineSpec, entryName?: string): Record<string, unknown> {
  return {
    ...(spec.name !== entryName && { name: escapeInterpolation(spec.name) }),
    ...(spec.description !== undefined && { description: escapeInterpolation(spec.description) }),
    // Parameter defaults are read as written, never interpolated: no escaping.
    ...(spec.params && Object.keys(spec.params).length > 0 && { params: spec.params }),
    ...(spec.executor && { executor: executorToDocument(spec.executor) }),
    steps: spec.steps.map(stepToDocument),
  };
}

/** `executor: bullmq` when it says nothing more, else the mapping. */
function executorToDocument(executor: ExecutorSpec): unknown {
  const { location: _location, ...rest } = executor;
  return Object.keys(rest).length === 1 ? rest.type : escapeStrings(rest);
}

/** `depends_on: [a, b]`: a few names read best on one line. Steps, parallel members and inline pipelines' steps. */
function flowDependsOn(pipeline: unknown): void {
  const steps = isMap(pipeline) ? pipeline.get("steps", true) : undefined;
  for (const step of isSeq(steps) ? steps.items : []) {
    const members = isMap(step) ? step.get("parallel", true) : undefined;
    for (const entry of [step, ...(isSeq(members) ? members.items : [])]) {
      if (!isMap(entry)) continue;
      const dependsOn = entry.get("depends_on", true);
      if (isSeq(dependsOn)) dependsOn.flow = true;
      flowDependsOn(entry.get("pipeline", true));
    }
  }
}

function stepToDocument(step: StepSpec): Record<string, unknown> {
  const base = escapeStrings({ name: step.name, ...(step.dependsOn && { depends_on: step.dependsOn }) }) as Record<string, unknown>;
  if (isParallelGroupSpec(step)) return { ...base, parallel: step.parallel.map(stepToDocument) };
  if (!isSubpipelineSpec(step)) return escapeStrings(commandToDocument(step)) as Record<string, unknown>;
  const pipeline = step.path !== undefined ? escapeInterpolation(step.path) : pipelineToDocument(step.pipeline, step.name);
  // The entry's params are substituted in this file (unlike a pipeline's own defaults): escaped.
  return { ...base, pipeline, ...(step.params && Object.keys(step.params).length > 0 && { params: escapeStrings(step.params) }) };
}

function commandToDocument(step: CommandStepSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: step.name };
  if (step.description !== undefined) out.description = step.description;
  out.command = step.command;
  if (Object.keys(step.args).length > 0) out.kwargs = step.args;
  if (step.dependsOn) out.depends_on = step.dependsOn;
  if (step.condition !== undefined) out.if = step.condition;
  if (step.map) {
    const { items, itemArg, concurrency, allowedFailures } = step.map;
    out.map = {
      items,
      ...(itemArg !== undefined && { item_arg: itemArg }),
      ...(concurrency !== undefined && { concurrency }),
      ...(allowedFailures !== undefined && { allowed_failures: allowedFailures }),
    };
  }
  if (step.timeout !== undefined) out.timeout = step.timeout;
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
