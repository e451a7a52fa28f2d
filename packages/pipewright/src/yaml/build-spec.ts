import type { SourceLocation } from "../errors.js";
import type { CommandStepSpec, ExecutorSpec, MapSpec, PipelineSpec, StepSpec, SubpipelineSpec } from "../pipeline-spec.js";
import { isDefaultOption, type STEP_OPTION_DEFAULTS } from "../step-options.js";
import type { Json } from "../types.js";
import type { Context, Path } from "./document-context.js";
import { entryKey, givenParams, paramsAt } from "./nested-pipelines.js";
import { STEP_OPTION_KEYS, type CommandStepDocument, type PipelineDocument, type StepDocument } from "./pipeline-schema.js";

type NestedDocument = Extract<StepDocument, { pipeline: unknown }>;

/**
 * A valid document as a `PipelineSpec`: snake_case keys to camelCase, defaults left out (so that writing
 * and loading again gives the same spec), and every entry located. `files` holds the nested pipelines
 * loaded from files, by entry.
 */
export function buildSpec(document: PipelineDocument, ctx: Context, files: ReadonlyMap<string, PipelineSpec>): PipelineSpec {
  const steps = (list: readonly StepDocument[], pipeline: Path): StepSpec[] => list.map((s, i) => step(s, [...pipeline, "steps", i]));

  const step = (doc: StepDocument, path: Path): StepSpec => {
    const base = { name: doc.name, ...(doc.depends_on && { dependsOn: [...doc.depends_on] }) };
    const location = ctx.locate(ctx.node(path));
    if ("parallel" in doc) return { ...base, parallel: doc.parallel.map((member, j) => step(member, [...path, "parallel", j])), location };
    if ("pipeline" in doc) return { ...base, ...nested(doc, path), location };
    return command(doc, path);
  };

  const nested = (doc: NestedDocument, path: Path): Omit<SubpipelineSpec, "name"> => {
    const given = givenParams(ctx, path);
    const withGiven = Object.keys(given).length > 0 ? { params: given } : {};
    if (typeof doc.pipeline === "string") {
      const spec = files.get(entryKey(path));
      if (!spec) throw new Error(`internal: the nested pipeline file of ${entryKey(path)} was not loaded`);
      return { pipeline: withParams(spec, { ...spec.params, ...given }), path: doc.pipeline, ...withGiven };
    }
    const body = [...path, "pipeline"];
    const { name = doc.name, description } = doc.pipeline;
    const spec = { name, ...(description !== undefined && { description }), steps: steps(doc.pipeline.steps, body) };
    return { pipeline: withParams(spec, { ...paramsAt(ctx, [...body, "params"]), ...given }), ...withGiven };
  };

  const command = (doc: CommandStepDocument, path: Path): CommandStepSpec => {
    // kwargs come from the raw values: zod drops `__proto__` keys, the spec keeps them as data.
    const spec: CommandStepSpec = { name: doc.name, command: doc.command, args: copyArgs(ctx.value([...path, "kwargs"])) };
    if (doc.description !== undefined) spec.description = doc.description;
    if (doc.depends_on) spec.dependsOn = [...doc.depends_on];
    if (doc.if !== undefined) spec.condition = String(doc.if);
    if (doc.timeout !== undefined) spec.timeout = doc.timeout;
    if (doc.map) spec.map = mapSpec(doc.map, [...path, "map"]);
    for (const [yamlKey, key] of Object.entries(STEP_OPTION_KEYS) as [keyof typeof STEP_OPTION_KEYS, keyof typeof STEP_OPTION_DEFAULTS][]) {
      const given = doc[yamlKey];
      const value = typeof given === "boolean" && key === "jitter" ? Number(given) : given;
      if (value !== undefined && !isDefaultOption(key, value)) Object.assign(spec, { [key]: value });
    }
    if (doc.rollback) spec.rollback = { command: doc.rollback.command, args: copyArgs(ctx.value([...path, "rollback", "kwargs"])) };
    spec.location = ctx.locate(ctx.node(path));
    spec.commandLocation = ctx.locate(ctx.node([...path, "command"]));
    if (doc.if !== undefined) spec.conditionLocation = ctx.locate(ctx.node([...path, "if"]));
    return spec;
  };

  const mapSpec = (doc: NonNullable<CommandStepDocument["map"]>, path: Path): MapSpec => ({
    items: typeof doc.items === "string" ? doc.items : (copyJson(ctx.value([...path, "items"])) as Json[]),
    ...(doc.item_arg !== undefined && { itemArg: doc.item_arg }),
    ...(doc.concurrency !== undefined && { concurrency: doc.concurrency }),
    ...(doc.allowed_failures !== undefined && { allowedFailures: doc.allowed_failures }),
  });

  return {
    name: document.name,
    ...(document.description !== undefined && { description: document.description }),
    ...(document.executor !== undefined && { executor: executorSpec(document.executor, ctx.locate(ctx.node(["executor"]))) }),
    steps: steps(document.steps, []),
  };
}

/** `executor: bullmq` and `executor: { type: bullmq, ... }` give the same spec. */
function executorSpec(doc: NonNullable<PipelineDocument["executor"]>, location: SourceLocation): ExecutorSpec {
  return typeof doc === "string" ? { type: doc, location } : { ...doc, location };
}

/** `spec` with `params` when there are any. */
function withParams(spec: PipelineSpec, params: Record<string, string>): PipelineSpec {
  const { params: _old, ...rest } = spec;
  return Object.keys(params).length > 0 ? { ...rest, params } : rest;
}

/** A fresh copy (aliases would otherwise share objects between steps); `__proto__` keys stay own data. */
function copyArgs(value: unknown): Record<string, Json> {
  return value === undefined ? {} : (copyJson(value) as Record<string, Json>);
}

function copyJson(value: unknown): Json {
  if (Array.isArray(value)) return value.map(copyJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyJson(item)]));
  }
  return value as Json;
}
