import { writeFile } from "node:fs/promises";
import { ValidationError, type ValidationIssue } from "./errors.js";
import { EventBus, type Listener, type PipelineEventName } from "./events.js";
import type { ExecuteOptions } from "./execute-options.js";
import type { PipelineSpec, StepSpec } from "./pipeline-spec.js";
import { commandResolver, registryNames, type CommandResolver } from "./registry.js";
import type { PipelineResult } from "./result.js";
import { runPipeline } from "./run-pipeline.js";
import { defineStep, type StepDefinition } from "./step-definition.js";
import { isDefaultOption, type StepOptions } from "./step-options.js";
import type { Command, Registry } from "./types.js";
import { loadPipelineYaml, type LoadOptions } from "./yaml/load-pipeline-yaml.js";
import { pipelineSpecToYaml } from "./yaml/write-pipeline-yaml.js";

/** Options of `new Pipeline(...)`. */
export interface PipelineOptions {
  name: string;
  description?: string;
  /** Where checkpoints go. @default "data/.pipeline_checkpoints" (relative to the working directory) */
  checkpointDir?: string;
  /** Commands that steps may name instead of passing a function; `toYaml` writes these names. */
  registry?: Registry;
  /** Parameters handed to commands as `ctx.params`. */
  params?: Record<string, string>;
}

/** Options of `Pipeline.fromYaml`. */
export interface FromYamlOptions extends Omit<LoadOptions, "knownCommands"> {
  checkpointDir?: string;
}

export const DEFAULT_CHECKPOINT_DIR = "data/.pipeline_checkpoints";

/**
 * A named list of steps, run with retries, rollback and checkpoints.
 * @example
 * const result = await new Pipeline({ name: "etl" })
 *   .addStep("extract", extract, { retryCount: 2 })
 *   .addStep("load", load)
 *   .execute({ enableRollback: true });
 */
export class Pipeline {
  readonly name: string;
  readonly description: string | undefined;
  readonly checkpointDir: string;
  readonly #commands: CommandResolver;
  readonly #params: Record<string, string>;
  readonly #steps: StepDefinition[] = [];
  readonly #stepNames = new Set<string>();
  readonly #bus = new EventBus();

  constructor(options: PipelineOptions) {
    if (typeof options?.name !== "string" || options.name.trim() === "") {
      throw new ValidationError(`Expected \`name\` to be a non-empty string, got \`${String(options?.name)}\``);
    }
    this.name = options.name;
    this.description = options.description;
    this.checkpointDir = options.checkpointDir ?? DEFAULT_CHECKPOINT_DIR;
    this.#commands = commandResolver(options.registry);
    this.#params = { ...options.params };
  }

  /** The steps, in order. */
  get steps(): readonly StepDefinition[] {
    return this.#steps;
  }

  /**
   * Adds a step; returns the pipeline, for chaining. `command` is a function `(args, ctx) => output`,
   * or the name of a command in the pipeline's registry (or a built-in such as `exec`).
   */
  addStep<Args>(name: string, command: Command<Args> | string, options?: StepOptions<Args>): this {
    if (typeof name !== "string" || name.trim() === "" || hasControlCharacter(name)) {
      throw new ValidationError(`Expected the step name to be a non-empty string without control characters, got \`${JSON.stringify(name)}\``);
    }
    if (this.#stepNames.has(name)) throw new ValidationError(`Duplicate step name "${name}"`);
    // Each step depends on the one before it: a change upstream makes resume run it again too.
    const previous = this.#steps.at(-1);
    this.#steps.push(defineStep(name, command as Command | string, options, this.#commands, previous ? [previous] : []));
    this.#stepNames.add(name);
    return this;
  }

  /** Calls `listener` on every `event` of every execution; returns a function that removes it. A throwing listener never breaks a run. */
  on<E extends PipelineEventName>(event: E, listener: Listener<E>): () => void {
    return this.#bus.on(event, listener);
  }

  /** Runs the pipeline. Resolves with the result whether steps fail or not; rejects only on invalid options or unusable checkpoints. */
  execute(options?: ExecuteOptions): Promise<PipelineResult> {
    return runPipeline(
      {
        name: this.name,
        description: this.description,
        checkpointDir: this.checkpointDir,
        steps: this.#steps,
        params: this.#params,
        bus: this.#bus,
      },
      options,
    );
  }

  /** Builds a pipeline from its data form, resolving command names through `registry` (and the built-ins). */
  static fromSpec(spec: PipelineSpec, registry?: Registry, options: PipelineOptions | Omit<PipelineOptions, "name"> = {}): Pipeline {
    const params = { ...spec.params, ...options.params };
    const pipeline = new Pipeline({ ...options, name: spec.name, description: spec.description, registry, params });
    const issues: ValidationIssue[] = [];
    for (const step of spec.steps) {
      try {
        pipeline.#addSpecStep(step);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        // Every step's problems at once, each where the step is written.
        issues.push(...error.issues.map((issue) => ({ ...issue, location: issue.location ?? step.location })));
      }
    }
    if (issues.length > 0) throw new ValidationError(issues);
    return pipeline;
  }

  /** Adds a step from its data form. */
  #addSpecStep(step: StepSpec): void {
    this.addStep(step.name, step.command, {
      args: step.args,
      description: step.description,
      retryCount: step.retryCount,
      retryDelay: step.retryDelay,
      backoff: step.backoff,
      maxRetryDelay: step.maxRetryDelay,
      jitter: step.jitter,
      skipOnError: step.skipOnError,
      checkpoint: step.checkpoint,
      rollback: step.rollback,
    });
  }

  /**
   * Loads a pipeline from a YAML file. Every problem (unknown key, wrong type, unknown command, unset
   * `${VAR}`) is reported at once in a `ValidationError` with file, line and column.
   * @example const pipeline = await Pipeline.fromYaml("pipeline.yml", { stage_all_command }, { params: { CHIP: "67" } });
   */
  static async fromYaml(path: string, registry?: Registry, options: FromYamlOptions = {}): Promise<Pipeline> {
    const spec = await loadPipelineYaml(path, { ...options, knownCommands: registryNames(registry) });
    return Pipeline.fromSpec(spec, registry, { checkpointDir: options.checkpointDir, params: options.params });
  }

  /** The pipeline as data. Throws when a command or rollback is a function that has no registry name. */
  toSpec(): PipelineSpec {
    const problems: string[] = [];
    const steps = this.#steps.map((step): StepSpec => {
      if (this.#commands.lookup(step.commandName) !== step.command) {
        problems.push(`Step "${step.name}": its command (function ${step.commandName}) has no name in the registry`);
      }
      if (step.rollback && !step.rollback.spec) {
        problems.push(`Step "${step.name}": its rollback is a function; YAML can only name a registry command ({ command, args })`);
      }
      return withoutDefaults({
        name: step.name,
        command: step.commandName,
        args: step.options.args,
        description: step.options.description,
        retryCount: step.options.retryCount,
        retryDelay: step.options.retryDelay,
        backoff: step.options.backoff,
        maxRetryDelay: step.options.maxRetryDelay,
        jitter: step.options.jitter,
        skipOnError: step.options.skipOnError,
        checkpoint: step.options.checkpoint,
        rollback: step.rollback?.spec,
      });
    });
    if (problems.length > 0) throw new ValidationError(problems.map((message) => ({ message })));
    const params = Object.keys(this.#params).length > 0 ? { params: { ...this.#params } } : {};
    return { name: this.name, description: this.description, ...params, steps };
  }

  /** Writes the pipeline as YAML that `Pipeline.fromYaml` loads back to an equivalent pipeline. */
  async toYaml(path: string): Promise<void> {
    await writeFile(path, pipelineSpecToYaml(this.toSpec()));
  }
}

function withoutDefaults(step: StepSpec): StepSpec {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(step)) {
    if (value !== undefined && !isDefaultOption(key, value)) out[key] = value;
  }
  return out as unknown as StepSpec;
}

function hasControlCharacter(text: string): boolean {
  return [...text].some((ch) => ch.charCodeAt(0) < 0x20);
}
