import { errorMessage, ValidationError } from "./errors.js";
import { compileTemplate, type CompiledTemplate } from "./expressions/template.js";
import type { StepOptions } from "./step-options.js";
import type { Json, StepContext } from "./types.js";

/** Where a map step's items come from. */
export type MapItems = Json[] | string | ((ctx: StepContext) => Json[] | Promise<Json[]>);

/**
 * Options of `pipeline.addMapStep(name, options)`: the command runs once per item, each item with its
 * own retries (the step options apply per item). Finished items are journaled as they end, so resume
 * runs only the items that did not succeed.
 */
export interface MapStepOptions<Args = Record<string, Json>> extends StepOptions<Args>, MapFanOut {}

/** What makes a step a map step. */
export interface MapFanOut {
  /** A list, an expression giving one (`"${{ steps.list.output.files }}"`), or a function of the context. */
  items: MapItems;
  /** The arg that receives the item: the command is called with `{ ...args, [itemArg]: item }`. @default "item" */
  itemArg?: string;
  /** Items run at once. @default the execution's `concurrency` */
  concurrency?: number;
  /**
   * Failed items tolerated before the step fails: a count (`3`) or a percentage of the items (`"5%"`).
   * Within the allowance the step succeeds and its output lists the failures. @default 0
   */
  allowedFailures?: number | string;
}

export interface ResolvedMapOptions {
  items: MapItems;
  itemArg: string;
  concurrency: number | undefined;
  allowedFailures: number | string;
  /** `items` compiled, when it is an expression. */
  itemsTemplate: CompiledTemplate | undefined;
}

const PERCENTAGE = /^(\d+(?:\.\d+)?)\s*%$/;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function resolveMapOptions(stepName: string, options: MapStepOptions<unknown>): ResolvedMapOptions {
  const problems: string[] = [];
  const expect = (ok: boolean, option: string, wanted: string, got: unknown) => {
    if (!ok) problems.push(`Map step "${stepName}": expected \`${option}\` to be ${wanted}, got \`${JSON.stringify(got) ?? String(got)}\``);
  };
  const { items, itemArg = "item", concurrency, allowedFailures = 0 } = options;
  expect(Array.isArray(items) || typeof items === "string" || typeof items === "function", "items", "a list, an expression or a function", items);
  expect(typeof itemArg === "string" && ARG_NAME.test(itemArg), "itemArg", "a name (letters, digits, _ and -)", itemArg);
  expect(concurrency === undefined || (Number.isInteger(concurrency) && concurrency >= 1), "concurrency", "an integer ≥ 1", concurrency);
  expect(allowedFailuresLimit(allowedFailures, 0) !== undefined, "allowedFailures", 'a count ≥ 0 or a percentage such as "5%"', allowedFailures);
  let itemsTemplate: CompiledTemplate | undefined;
  if (typeof items === "string") {
    try {
      itemsTemplate = compileTemplate(items);
    } catch (error) {
      problems.push(`Map step "${stepName}": \`items\`: ${errorMessage(error)}`);
    }
    if (itemsTemplate && !itemsTemplate.hasExpressions) problems.push(`Map step "${stepName}": expected \`items\` to be a list or a \${{ expression }}, got \`${items}\``);
  }
  if (problems.length > 0) throw new ValidationError(problems.map((message) => ({ message })));
  return { items, itemArg, concurrency, allowedFailures, itemsTemplate };
}

/** How many of `total` items may fail; undefined when the allowance is malformed. */
export function allowedFailuresLimit(allowed: number | string, total: number): number | undefined {
  if (typeof allowed === "number") return Number.isInteger(allowed) && allowed >= 0 ? allowed : undefined;
  const percent = PERCENTAGE.exec(allowed.trim())?.[1];
  if (percent === undefined || Number(percent) > 100) return undefined;
  return Math.floor((Number(percent) / 100) * total);
}
