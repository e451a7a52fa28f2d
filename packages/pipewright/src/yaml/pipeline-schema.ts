import { z } from "zod";
import type { Json } from "../types.js";

/**
 * The YAML pipeline document, as a zod schema: the single source of truth for the loader's checks,
 * its error messages (`expected`) and the published JSON Schema (descriptions).
 * To add a step key: add it to `stepSchema` (and to `STEP_OPTION_KEYS` if it maps to a step option).
 */

/** What a value must be, in words: "expected retry_count to be <expected>, got ...". */
export const expectations = z.registry<{ expected: string }>();

function field<T extends z.ZodType>(schema: T, expected: string, description: string): T {
  const described = schema.meta({ description });
  expectations.add(described, { expected });
  return described;
}

/** Names of `${NAME}` variables and of `params:` entries. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Not z.json(): its inner recursion would show up as an anonymous "__schema0" in the JSON Schema.
// The id goes on the final instance (ids are not inherited by clones), so that it names the $defs entry.
const jsonValue: z.ZodType<Json> = field(
  z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)])),
  "a plain JSON value (text, a finite number, true/false, null, a list or a mapping)",
  "Any plain JSON value.",
).meta({ id: "JsonValue" });

const kwargs = (description: string) =>
  field(z.record(z.string(), jsonValue), "a mapping of plain JSON values", description).default({});

const commandName = (description: string) =>
  field(z.string().min(1), "a command name (a non-empty string)", description);

const rollbackSchema = field(
  z.strictObject({
    command: commandName("Registry name of the command that undoes the step."),
    kwargs: kwargs("Arguments of the rollback command, as plain JSON values."),
  }),
  "a mapping with command and kwargs",
  "Undoes the step's effects when a later step fails and rollback is enabled.",
);

export const stepSchema = field(
  z.strictObject({
    name: field(z.string().min(1), "a non-empty string", "Unique name of the step, used in logs and checkpoints."),
    command: commandName("Registry name of the command the step runs."),
    kwargs: kwargs("Arguments passed to the command, as plain JSON values."),
    description: field(z.string(), "a string", "A line shown in listings.").optional(),
    retry_count: field(
      z.int().min(0),
      "an integer ≥ 0",
      "Retries after the first attempt fails; up to retry_count + 1 attempts in all. Default 0.",
    ).optional(),
    retry_delay: field(z.number().min(0), "a number of seconds ≥ 0", "Seconds before the first retry. Default 1.").optional(),
    backoff: field(z.number().min(1), "a number ≥ 1", "Factor applied to the delay for each further retry. Default 2.").optional(),
    max_retry_delay: field(
      z.number().min(0),
      "a number of seconds ≥ 0",
      "Upper bound of the delay between attempts, in seconds. Default: no bound.",
    ).optional(),
    jitter: field(
      z.union([z.number().min(0).max(1), z.boolean()]),
      "a number from 0 to 1 or a boolean",
      "Randomises each delay down by up to this fraction; true is 1 (full jitter), false is 0. Default 0.",
    ).optional(),
    skip_on_error: field(
      z.boolean(),
      "a boolean (true or false)",
      "When all attempts fail, mark the step skipped and go on. Default false.",
    ).optional(),
    checkpoint: field(
      z.boolean(),
      "a boolean (true or false)",
      "Record the step in the checkpoint, so that resume can skip it once it succeeded. Default true.",
    ).optional(),
    rollback: rollbackSchema.optional(),
  }),
  "a mapping with at least name and command",
  "One step: a registry command run with its kwargs.",
);

export const pipelineSchema = field(
  z
    .strictObject({
      name: field(z.string().min(1), "a non-empty string", "Name of the pipeline."),
      description: field(z.string(), "a string", "What the pipeline does.").optional(),
      params: field(
        z.record(
          z.string().regex(VARIABLE_NAME),
          field(z.union([z.string(), z.number(), z.boolean()]), "a string, number or boolean", "Default value of the variable."),
        ),
        "a mapping of NAME: default value",
        "Default values of ${NAME} placeholders; --param and the environment take precedence.",
      ).optional(),
      steps: field(z.array(stepSchema).min(1), "a non-empty list of steps", "The steps, run in order."),
    })
    .meta({ title: "Pipewright pipeline" }),
  "a mapping with name and steps",
  "A Pipewright pipeline definition. Values may contain ${NAME} or ${NAME:-default} placeholders; $${ is a literal ${.",
);

export type PipelineDocument = z.output<typeof pipelineSchema>;
export type StepDocument = z.output<typeof stepSchema>;

/** YAML step keys that are step options, and their camelCase names in `StepSpec`. */
export const STEP_OPTION_KEYS = {
  retry_count: "retryCount",
  retry_delay: "retryDelay",
  backoff: "backoff",
  max_retry_delay: "maxRetryDelay",
  jitter: "jitter",
  skip_on_error: "skipOnError",
  checkpoint: "checkpoint",
} as const;

/** The JSON Schema of pipeline files (for editors), as written to schema/pipeline.schema.json. */
export function pipelineJsonSchemaText(): string {
  // "input": the file is what users write, so keys with defaults (kwargs) are optional.
  const schema = z.toJSONSchema(pipelineSchema, { io: "input", target: "draft-2020-12" });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
