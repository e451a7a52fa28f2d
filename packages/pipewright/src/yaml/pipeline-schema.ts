import { z } from "zod";
import type { Json } from "../types.js";

/**
 * The YAML pipeline document, as a zod schema: the single source of truth for the loader's checks,
 * its error messages (`expected`) and the published JSON Schema (descriptions).
 * To add a command step key: add it to `commandStepSchema` (and to `STEP_OPTION_KEYS` if it maps to a step option).
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

/** The keys that say what kind an entry of `steps:` is; an entry has exactly one. */
export const STEP_KINDS = ["command", "parallel", "pipeline"] as const;

/** A string `map.items`: one `${{ expression }}`, the whole value. */
export const ITEMS_EXPRESSION = /^\s*\$\{\{[\s\S]*\}\}\s*$/; // [\s\S], not [^]: the JSON Schema pattern is read by other regex engines too

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

// "/" joins a nested pipeline's name and its steps' names (`per-chip/fit`), so plain names cannot hold one.
const stepName = field(
  z.string().min(1).regex(/^[^/]*$/),
  'a non-empty name without "/" (it joins the names of a nested pipeline and its steps)',
  "Unique name of the step among the pipeline's entries and their parallel members, used in logs, checkpoints and depends_on. " +
    "Without \"/\": a nested pipeline's steps are named <entry>/<step>.",
);

const dependsOn = field(
  z.array(field(z.string().min(1), "a step name", "Name of an entry (or parallel member) of the same pipeline.")),
  "a list of step names",
  "The entries this one waits for. Absent: the entry before it; []: none, it may start at once.",
).optional();

const rollbackSchema = field(
  z.strictObject({
    command: commandName("Registry name of the command that undoes the step."),
    kwargs: kwargs("Arguments of the rollback command, as plain JSON values."),
  }),
  "a mapping with command and kwargs",
  "Undoes the step's effects when a later step fails and rollback is enabled.",
);

const mapSchema = field(
  z.strictObject({
    items: field(
      z.union([z.array(jsonValue), z.string().regex(ITEMS_EXPRESSION)]),
      "a list or a ${{ expression }}",
      "The items: a list, or a ${{ expression }} that gives one (e.g. ${{ steps.list-files.output.files }}).",
    ),
    item_arg: field(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/),
      "a name (letters, digits, _ and -, starting with a letter or _)",
      'The kwarg that receives the item. Default "item".',
    ).optional(),
    concurrency: field(z.int().min(1), "an integer ≥ 1", "Items run at once. Default: the run's concurrency.").optional(),
    allowed_failures: field(
      z.union([z.int().min(0), z.string().regex(/^\s*0*(?:100(?:\.0+)?|\d{1,2}(?:\.\d+)?)\s*%\s*$/)]),
      'an integer ≥ 0 or a percentage from 0% to 100% (like "5%")',
      "Failed items tolerated before the step fails: a count, or a percentage of the items. Default 0.",
    ).optional(),
  }),
  "a mapping with items, and optionally item_arg, concurrency and allowed_failures",
  "Runs the command once per item, with the item in the kwarg item_arg.",
);

export const commandStepSchema = field(
  z.strictObject({
    name: stepName,
    command: commandName("Registry name of the command the step runs."),
    kwargs: kwargs("Arguments passed to the command, as plain JSON values; strings may hold ${{ expressions }}."),
    description: field(z.string(), "a string", "A line shown in listings.").optional(),
    depends_on: dependsOn,
    if: field(
      z.union([z.string().min(1), z.boolean()]),
      "an expression (like ${{ params.MODE == 'full' }}) or true/false",
      "Run the step only when this expression holds, else skip it: ${{ expression }} or the bare expression.",
    ).optional(),
    map: mapSchema.optional(),
    timeout: field(
      z.number().positive(),
      "a number of seconds > 0",
      "Seconds an attempt may run before it is aborted and counts as failed. Default: no limit.",
    ).optional(),
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
  "A step that runs a registry command with its kwargs (once per item with map).",
).meta({ id: "CommandStep" });

const params = (description: string, valueDescription: string) =>
  field(
    z.record(
      z.string().regex(VARIABLE_NAME),
      field(z.union([z.string(), z.number(), z.boolean()]), "a string, number or boolean", valueDescription),
    ),
    "a mapping of NAME: value",
    description,
  );

const pipelineFields = {
  description: field(z.string(), "a string", "What the pipeline does.").optional(),
  params: params(
    "Default values of ${NAME} placeholders; --param (or the including entry's params) and the environment take precedence.",
    "Default value of the variable.",
  ).optional(),
};

// Called from getters: steps hold nested pipelines, which hold steps (zod resolves a getter once).
function stepsField(): z.ZodArray<typeof stepSchema> {
  return field(z.array(stepSchema).min(1), "a non-empty list of steps", "The steps: each waits for the entry before it, unless depends_on says otherwise.");
}

const inlinePipelineSchema = field(
  z.strictObject({
    name: field(z.string().min(1), "a non-empty string", "Name of the nested pipeline. Default: the entry's name.").optional(),
    ...pipelineFields,
    get steps(): z.ZodArray<typeof stepSchema> {
      return stepsField();
    },
  }),
  "a mapping with steps",
  "A pipeline written in place.",
);

const nestedPipelineSchema = field(
  z.strictObject({
    name: stepName,
    depends_on: dependsOn,
    get pipeline(): z.ZodUnion<[z.ZodString, typeof inlinePipelineSchema]> {
      return field(
        z.union([z.string().min(1), inlinePipelineSchema]),
        "a file path or a mapping with steps",
        "The nested pipeline: a file (relative to this file's directory), or a pipeline written in place. " +
          "Its steps are named <name>/<step>.",
      );
    },
    params: params(
      "Values of the nested pipeline's ${NAME} placeholders and params, over the environment and its own defaults.",
      "Value of the variable.",
    ).optional(),
  }),
  "a mapping with name and pipeline",
  "Another pipeline, run as part of this one.",
).meta({ id: "NestedPipeline" });

const parallelGroupSchema = field(
  z.strictObject({
    name: stepName,
    depends_on: dependsOn,
    get parallel(): z.ZodArray<typeof parallelMemberSchema> {
      return field(
        z.array(parallelMemberSchema).min(1),
        "a non-empty list of steps (command steps or nested pipelines)",
        "Steps that run side by side: command steps or nested pipelines. The entry after the group waits for all of them.",
      );
    },
  }),
  "a mapping with name and parallel",
  "Steps that run side by side.",
).meta({ id: "ParallelGroup" });

const parallelMemberSchema = field(
  z.union([commandStepSchema, nestedPipelineSchema]),
  "a mapping with a name and either command or pipeline",
  "A command step or a nested pipeline.",
);

const stepSchema = field(
  z.union([commandStepSchema, parallelGroupSchema, nestedPipelineSchema]),
  "a mapping with a name and one of command, parallel or pipeline",
  "One entry of steps: a command step, a parallel group or a nested pipeline.",
).meta({ id: "Step" });

/** The executor keys that say where Redis is: only for `type: bullmq`. */
export const BULLMQ_EXECUTOR_KEYS = ["redis", "queue", "prefix", "tls"] as const;

const executorSchema = field(
  z.union([
    z.enum(["local", "bullmq"]),
    z
      .strictObject({
        type: field(z.enum(["local", "bullmq"]), "local or bullmq", "local: in the process that runs the pipeline; bullmq: as jobs for workers, through Redis."),
        redis: field(
          // No `user:password@`: pipeline files get shared and checked in.
          z.string().regex(/^rediss?:\/\/(?![^/@]*:[^/@]*@)\S+$/),
          "a redis:// or rediss:// URL without a password",
          "Where Redis is: redis://host:port[/db], rediss:// for TLS. No password here: --password or $PIPEWRIGHT_REDIS_PASSWORD. Default: $PIPEWRIGHT_REDIS_URL or redis://127.0.0.1:6379.",
        ).optional(),
        queue: field(z.string().regex(/^[^:]+$/), 'a queue name without ":"', "The queue the workers take jobs from. Default: steps.").optional(),
        prefix: field(z.string().min(1), "a non-empty string", "Prefix of every Redis key, so several projects share one Redis. Default: pipewright.").optional(),
        tls: field(z.boolean(), "a boolean (true or false)", "Connect to Redis over TLS (implied by a rediss:// URL). Default false.").optional(),
      })
      .superRefine((executor, check) => {
        if (executor.type !== "local") return;
        for (const key of BULLMQ_EXECUTOR_KEYS) {
          if (executor[key] !== undefined) check.addIssue({ code: "custom", path: [key], message: `"${key}" in executor goes only with type: bullmq (the local executor uses no Redis)` });
        }
      }),
  ]),
  "local, bullmq, or a mapping with type (and for bullmq: redis, queue, prefix, tls)",
  "Where the steps run: local (the default) or bullmq (jobs for `pipewright worker`s, through Redis). " +
    "Command-line flags (--executor, --redis, ...) win over it. Only the top pipeline's counts.",
);

export const pipelineSchema = field(
  z
    .strictObject({
      name: field(z.string().min(1), "a non-empty string", "Name of the pipeline."),
      ...pipelineFields,
      executor: executorSchema.optional(),
      get steps(): z.ZodArray<typeof stepSchema> {
        return stepsField();
      },
    })
    .meta({ title: "Pipewright pipeline" }),
  "a mapping with name and steps",
  "A Pipewright pipeline definition. Values may contain ${NAME} or ${NAME:-default} placeholders; $${ is a literal ${.",
);

export type PipelineDocument = z.output<typeof pipelineSchema>;
export type StepDocument = z.output<typeof stepSchema>;
export type CommandStepDocument = z.output<typeof commandStepSchema>;

/** YAML step keys that are step options, and their camelCase names in `CommandStepSpec`. */
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
