import { ScopeLookup, type ExpressionScope } from "./expressions/expression.js";
import type { ExecutionGraph } from "./graph.js";
import type { ExecutionState } from "./execution-state.js";
import type { StepDefinition } from "./step-definition.js";
import type { Json } from "./types.js";

/**
 * What a step's expressions see: `params`, `env`, `steps.<name>.status|output|error` (names relative to
 * the step's nested pipeline), and in a map step's args, `item` and `itemIndex`.
 */
export function expressionScope(
  graph: ExecutionGraph,
  state: ExecutionState,
  step: StepDefinition,
  params: Readonly<Record<string, string>>,
): ExpressionScope {
  return {
    params,
    env: process.env,
    steps: new ScopeLookup((name) => {
      const index = graph.indexOf.get(step.namespace + name);
      const record = index === undefined ? undefined : state.record.steps[index];
      return record && { status: record.status, output: record.output, ...(record.error !== undefined && { error: record.error }) };
    }),
  };
}

/** The scope of one item of a map step. */
export function itemScope(scope: ExpressionScope, item: Json, itemIndex: number): ExpressionScope {
  return { ...scope, item, itemIndex };
}
