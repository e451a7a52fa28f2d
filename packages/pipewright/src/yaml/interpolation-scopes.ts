import { isMap, isSeq, type Document, type YAMLMap } from "yaml";
import {
  interpolateNode,
  NESTED_HINT,
  RUN_HINT,
  scalarTexts,
  variableLookup,
  type ScalarProblem,
  type UnsetHint,
  type VariableLookup,
} from "./interpolate.js";

/**
 * `${VAR}` substitution, pipeline by pipeline. An inline nested pipeline sees what a nested file sees:
 * the `params:` its entry gives (substituted in the including pipeline first), then the environment,
 * then its own `params:` defaults; so moving it into a file does not change what it means.
 * The `params:` defaults of a pipeline are read as written, never substituted. `nested`: the document
 * is a nested pipeline file (its variables come from the including entry, not from --param).
 */
export function interpolatePipelines(
  doc: Document,
  source: string,
  lookup: VariableLookup,
  env: Readonly<Record<string, string | undefined>>,
  nested: boolean,
): ScalarProblem[] {
  const scope = (pipeline: unknown, lookup: VariableLookup, hint: UnsetHint): ScalarProblem[] => {
    const inline = isMap(pipeline) ? inlinePipelines(pipeline) : [];
    const skip = new Set<unknown>([isMap(pipeline) ? pipeline.get("params", true) : undefined, ...inline.map((i) => i.body)]);
    const problems = interpolateNode(pipeline, source, lookup, hint, skip);
    for (const { entry, body } of inline) {
      const given = scalarTexts(entry.get("params", true));
      problems.push(...scope(body, variableLookup(given, env, scalarTexts(body.get("params", true))), NESTED_HINT));
    }
    return problems;
  };
  return scope(doc.contents, lookup, nested ? NESTED_HINT : RUN_HINT);
}

/** The inline `pipeline:` mappings of a pipeline's entries and parallel members, with their entries. */
function inlinePipelines(pipeline: YAMLMap): { entry: YAMLMap; body: YAMLMap }[] {
  const steps = pipeline.get("steps", true);
  const entries = (isSeq(steps) ? steps.items : []).flatMap((step) => {
    const members = isMap(step) ? step.get("parallel", true) : undefined;
    return [step, ...(isSeq(members) ? members.items : [])];
  });
  return entries.flatMap((entry) => {
    const body = isMap(entry) ? entry.get("pipeline", true) : undefined;
    return isMap(entry) && isMap(body) ? [{ entry, body }] : [];
  });
}
