import { writeFile } from "node:fs/promises";
import { ValidationError, type SourceLocation, type ValidationIssue } from "./errors.js";
import { EventBus, type Listener, type PipelineEventName } from "./events.js";
import type { ExecuteOptions } from "./execute-options.js";
import { buildGraph, type ExecutionGraph } from "./graph.js";
import type { MapFanOut, MapStepOptions } from "./map-options.js";
import {
  isCommandStepSpec,
  isParallelGroupSpec,
  type CommandStepSpec,
  type ExecutorSpec,
  type PipelineSpec,
  type StepSpec,
  type SubpipelineSpec,
} from "./pipeline-spec.js";
import { commandResolver, registryNames, type CommandResolver } from "./registry.js";
import type { PipelineResult } from "./result.js";
import { planExecution, type ExecutionPlan } from "./plan.js";
import { runPipeline } from "./run-pipeline.js";
import { defineStep, type StepDefinition } from "./step-definition.js";
import { isDefaultOption, type StepOptions } from "./step-options.js";
import type { Command, Json, Registry } from "./types.js";
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
  /** Where the steps are meant to run (YAML `executor:`): `execute` then needs an `executor` unless it is local. */
  executor?: ExecutorSpec;
}

/** Options of `Pipeline.fromYaml`. */
export interface FromYamlOptions extends Omit<LoadOptions, "knownCommands"> {
  checkpointDir?: string;
}

export const DEFAULT_CHECKPOINT_DIR = "data/.pipeline_checkpoints";

/** A map step's options, with its command. */
export type MapStepDefinition<Args = Record<string, Json>> = Omit<MapStepOptions<Args>, "args"> & {
  command: Command<Args> | string;
  /** The args besides the item. */
  args?: Partial<Args>;
};

/** A member of a parallel group: a step (a map step when it has `items`), or a nested pipeline. */
export type ParallelMember =
  | ({ name: string; command: Command<never> | string } & StepOptions & Partial<MapFanOut>)
  | { name: string; pipeline: Pipeline };

/** Options of `addParallelGroup` and `addSubpipeline`. */
export interface GroupOptions {
  /** What the group's first steps wait for. @default the step (or group) added before it */
  dependsOn?: string[];
}

/** How the pipeline was put together, kept for `toSpec`: the steps alone have lost the groups. */
type Entry =
  | { kind: "step"; step: StepDefinition }
  | { kind: "group"; name: string; members: Entry[]; dependsOn: string[] | undefined }
  | { kind: "pipeline"; name: string; pipeline: Pipeline; dependsOn: string[] | undefined; origin: Pick<SubpipelineSpec, "path" | "params"> };

/**
 * Steps and what each waits for, run with retries, rollback and checkpoints. A step waits for the one
 * added before it unless its `dependsOn` says otherwise; steps whose dependencies are done run at once.
 * @example
 * const result = await new Pipeline({ name: "etl" })
 *   .addStep("extract", extract, { retryCount: 2 })
 *   .addParallelGroup("transform", [{ name: "clean", command: clean }, { name: "index", command: index }])
 *   .addStep("load", load)
 *   .execute({ enableRollback: true });
 */
export class Pipeline {
  readonly name: string;
  readonly description: string | undefined;
  readonly checkpointDir: string;
  /** Where the steps are meant to run, as the YAML `executor:` says; the CLI builds the executor from it. */
  readonly executor: ExecutorSpec | undefined;
  readonly #commands: CommandResolver;
  readonly #params: Record<string, string>;
  readonly #entries: Entry[] = [];
  /** Every step, nested pipelines' steps included (qualified), in the order they were added. */
  readonly #steps: StepDefinition[] = [];
  /** Every name taken: steps, groups, nested pipelines. */
  readonly #names = new Set<string>();
  /** Names that stand for several steps (groups, nested pipelines) in `dependsOn`. */
  readonly #aliases = new Map<string, string[]>();
  /** What the next entry waits for by default: the entry added last. */
  #tail: string[] = [];
  #graph: ExecutionGraph | undefined;
  readonly #bus = new EventBus();

  constructor(options: PipelineOptions) {
    if (typeof options?.name !== "string" || options.name.trim() === "") {
      throw new ValidationError(`Expected \`name\` to be a non-empty string, got \`${String(options?.name)}\``);
    }
    this.name = options.name;
    this.description = options.description;
    this.checkpointDir = options.checkpointDir ?? DEFAULT_CHECKPOINT_DIR;
    this.executor = options.executor;
    this.#commands = commandResolver(options.registry);
    this.#params = { ...options.params };
  }

  /** Every step, in the order added; steps of nested pipelines are named `outer/inner`. */
  get steps(): readonly StepDefinition[] {
    return this.#steps;
  }

  /**
   * Adds a step; returns the pipeline, for chaining. `command` is a function `(args, ctx) => output`,
   * or the name of a command in the pipeline's registry (or a built-in such as `exec`).
   */
  addStep<Args>(name: string, command: Command<Args> | string, options?: StepOptions<Args>): this {
    return this.#addStep(name, command as Command | string, options, undefined);
  }

  /**
   * Adds a map step: `command` runs once per item, `concurrency` at a time, each item with its own
   * retries, and is called with `{ ...args, item }` (see `itemArg`). Its output lists every item's output.
   * @example pipeline.addMapStep("stage", { items: (ctx) => ctx.outputs.list as string[], command: stageFile, allowedFailures: "1%" })
   */
  addMapStep<Args>(name: string, options: MapStepDefinition<Args>): this {
    const { command, ...rest } = options ?? ({} as MapStepDefinition<Args>);
    return this.#addStep(name, command as Command | string, rest, undefined);
  }

  /**
   * Adds steps that run side by side: each waits for what the group waits for (the entry before it,
   * unless `dependsOn` says otherwise), and the entry after the group waits for all of them.
   */
  addParallelGroup(name: string, members: readonly ParallelMember[], options: GroupOptions = {}): this {
    return this.#addParallelGroup(name, members, options, []);
  }

  /** `locations[i]`: where member i's dependencies are written, for graph errors (YAML knows it). */
  #addParallelGroup(name: string, members: readonly ParallelMember[], options: GroupOptions, locations: readonly (SourceLocation | undefined)[]): this {
    this.#checkName(name);
    this.#names.add(name);
    const dependsOn = options.dependsOn ?? this.#tail;
    const entries: Entry[] = [];
    const names: string[] = [];
    for (const [i, member] of members.entries()) {
      this.#tail = [...dependsOn];
      if ("pipeline" in member) {
        this.#addSubpipeline(member.name, member.pipeline, undefined, {}, name);
      } else {
        const { name: memberName, command, ...memberOptions } = member;
        this.#addStep(memberName, command as Command | string, memberOptions, locations[i], name);
      }
      entries.push(this.#entries.pop() as Entry);
      names.push(...this.#expand(member.name));
    }
    this.#entries.push({ kind: "group", name, members: entries, dependsOn: options.dependsOn });
    this.#aliases.set(name, names);
    this.#tail = [name];
    return this;
  }

  /**
   * Runs another pipeline as part of this one. Its steps join this pipeline's graph under the names
   * `<name>/<step>` (in results, checkpoints and events), see that pipeline's params, and resume and roll
   * back like the others. A snapshot: later changes to `pipeline` are not seen.
   */
  addSubpipeline(name: string, pipeline: Pipeline, options: GroupOptions = {}): this {
    return this.#addSubpipeline(name, pipeline, options.dependsOn, {}, undefined);
  }

  /** The steps as a checked dependency graph. Throws a `ValidationError` for unknown dependencies, cycles and bad references. */
  graph(): ExecutionGraph {
    return (this.#graph ??= buildGraph(this.#steps, this.#aliases));
  }

  /**
   * What `execute({ resumeFrom })` would run and skip, and why, without running anything.
   * @example const plan = await pipeline.plan("latest"); // steps[i].action: "run" | "skip"
   */
  plan(resumeFrom?: string): Promise<ExecutionPlan> {
    return planExecution(this.name, this.checkpointDir, this.graph(), resumeFrom);
  }

  /** Calls `listener` on every `event` of every execution; returns a function that removes it. A throwing listener never breaks a run. */
  on<E extends PipelineEventName>(event: E, listener: Listener<E>): () => void {
    return this.#bus.on(event, listener);
  }

  /**
   * Runs the pipeline. Resolves with the result whether steps fail or not; rejects only on an invalid
   * pipeline or options, unusable checkpoints, or another run going on (`ConcurrentRunError`: the
   * pipeline's lock in the checkpoint directory is held, or the execution to resume still runs).
   */
  async execute(options?: ExecuteOptions): Promise<PipelineResult> {
    if (this.executor?.type === "bullmq" && options?.executor === undefined) {
      // Running here what was meant for workers could find none of their data, or overload this machine.
      throw new ValidationError([
        {
          message:
            `Pipeline "${this.name}" is meant to run on BullMQ workers (executor: bullmq): pass execute({ executor }) ` +
            "(a BullMqExecutor from @pipewright/distributed, or localExecutor to run it here)",
          location: this.executor.location,
        },
      ]);
    }
    return runPipeline(
      {
        name: this.name,
        description: this.description,
        checkpointDir: this.checkpointDir,
        graph: this.graph(),
        params: this.#params,
        bus: this.#bus,
      },
      options,
    );
  }

  #addStep(
    name: string,
    command: Command | string,
    options: StepOptions<unknown> | MapStepOptions<unknown> | undefined,
    location: SourceLocation | undefined,
    group?: string,
  ): this {
    this.#checkName(name);
    const step = defineStep(name, command, options, this.#commands, { defaultDependsOn: this.#tail, group, location });
    this.#names.add(name);
    this.#steps.push(step);
    this.#entries.push({ kind: "step", step });
    this.#tail = [name];
    this.#graph = undefined;
    return this;
  }

  #addSubpipeline(
    name: string,
    inner: Pipeline,
    dependsOn: string[] | undefined,
    origin: Pick<SubpipelineSpec, "path" | "params">,
    group: string | undefined,
  ): this {
    if (!(inner instanceof Pipeline)) throw new ValidationError(`Nested pipeline "${name}": expected a Pipeline`);
    this.#checkName(name);
    this.#names.add(name);
    const prefix = `${name}/`;
    const entry = dependsOn ?? this.#tail;
    for (const [alias, members] of inner.#aliases) this.#aliases.set(prefix + alias, members.map((m) => prefix + m));
    const waitedFor = new Set(inner.#steps.flatMap((step) => step.dependsOn.flatMap((d) => inner.#expand(d))));
    for (const step of inner.#steps) {
      this.#steps.push({
        ...step,
        name: prefix + step.name,
        // Steps that start the nested pipeline wait for what it waits for.
        dependsOn: step.dependsOn.length === 0 ? entry : step.dependsOn.map((d) => prefix + d),
        explicitDependsOn: step.dependsOn.length === 0 ? dependsOn !== undefined : step.explicitDependsOn,
        group: group ?? prefix.slice(0, -1) + (step.group ? `/${step.group}` : ""),
        namespace: prefix + step.namespace,
        params: step.params ?? inner.#params,
      });
      this.#names.add(prefix + step.name);
    }
    const ends = inner.#steps.filter((step) => !waitedFor.has(step.name)).map((step) => prefix + step.name);
    this.#aliases.set(name, ends);
    this.#entries.push({ kind: "pipeline", name, pipeline: inner, dependsOn, origin });
    this.#tail = [name];
    this.#graph = undefined;
    return this;
  }

  #checkName(name: string): void {
    if (typeof name !== "string" || name.trim() === "" || hasControlCharacter(name) || name.includes("/")) {
      throw new ValidationError(
        `Expected the step name to be a non-empty string without control characters or "/" (reserved for nested pipelines), got \`${JSON.stringify(name)}\``,
      );
    }
    if (this.#names.has(name)) throw new ValidationError(`Duplicate step name "${name}"`);
  }

  /** The step names a name stands for. */
  #expand(name: string): string[] {
    return this.#aliases.get(name) ?? [name];
  }

  /** Builds a pipeline from its data form, resolving command names through `registry` (and the built-ins). */
  static fromSpec(spec: PipelineSpec, registry?: Registry, options: PipelineOptions | Omit<PipelineOptions, "name"> = {}): Pipeline {
    const params = { ...spec.params, ...options.params };
    const pipeline = new Pipeline({ ...options, name: spec.name, description: spec.description, registry, params, executor: spec.executor });
    const issues: ValidationIssue[] = [];
    for (const step of spec.steps) issues.push(...collectIssues(step.location, () => pipeline.#addSpecEntry(step, registry)));
    if (issues.length === 0) issues.push(...collectIssues(undefined, () => pipeline.graph()));
    if (issues.length > 0) throw new ValidationError(issues);
    return pipeline;
  }

  /** Adds an entry from its data form. */
  #addSpecEntry(step: StepSpec, registry: Registry | undefined, group?: string): void {
    if (isCommandStepSpec(step)) {
      this.#addStep(step.name, step.command, commandStepOptions(step), step.location, group);
    } else if (isParallelGroupSpec(step)) {
      const issues: ValidationIssue[] = [];
      const members = step.parallel.flatMap((member): ParallelMember[] => {
        let converted: ParallelMember[] = [];
        issues.push(
          ...collectIssues(member.location, () => {
            if (isCommandStepSpec(member)) converted = [{ name: member.name, command: member.command, ...(commandStepOptions(member) as StepOptions) }];
            else if (!isParallelGroupSpec(member)) converted = [{ name: member.name, pipeline: Pipeline.fromSpec(member.pipeline, registry) }];
            else throw new ValidationError(`Parallel group "${step.name}": a group cannot hold another group ("${member.name}")`);
          }),
        );
        return converted;
      });
      if (issues.length > 0) throw new ValidationError(issues);
      // A member that names no dependencies of its own waits for what the group names: errors about them point at the group.
      const locations = step.parallel.map((member) => (member.dependsOn !== undefined ? member.location : step.location));
      this.#addParallelGroup(step.name, members, { dependsOn: step.dependsOn }, locations);
    } else {
      this.#addSubpipeline(step.name, Pipeline.fromSpec(step.pipeline, registry), step.dependsOn, { path: step.path, params: step.params }, group);
    }
  }

  /**
   * Loads a pipeline from a YAML file. Every problem (unknown key, wrong type, unknown command, unset
   * `${VAR}`, unknown dependency, cycle) is reported at once in a `ValidationError` with file, line and column.
   * @example const pipeline = await Pipeline.fromYaml("pipeline.yml", { stage_all_command }, { params: { CHIP: "67" } });
   */
  static async fromYaml(path: string, registry?: Registry, options: FromYamlOptions = {}): Promise<Pipeline> {
    const spec = await loadPipelineYaml(path, { ...options, knownCommands: registryNames(registry) });
    return Pipeline.fromSpec(spec, registry, { checkpointDir: options.checkpointDir, params: options.params });
  }

  /** The pipeline as data. Throws when a command, rollback, condition or item source is a function without a name in YAML. */
  toSpec(): PipelineSpec {
    const problems: string[] = [];
    const steps = this.#entries.map((entry) => this.#entryToSpec(entry, problems));
    if (problems.length > 0) throw new ValidationError(problems.map((message) => ({ message })));
    const params = Object.keys(this.#params).length > 0 ? { params: { ...this.#params } } : {};
    const executor = this.executor && { executor: { ...this.executor } };
    return { name: this.name, description: this.description, ...params, ...executor, steps };
  }

  #entryToSpec(entry: Entry, problems: string[]): StepSpec {
    const dependsOn = (given: string[] | undefined) => (given ? { dependsOn: [...given] } : {});
    if (entry.kind === "group") {
      return { name: entry.name, ...dependsOn(entry.dependsOn), parallel: entry.members.map((m) => this.#entryToSpec(m, problems)) };
    }
    if (entry.kind === "pipeline") {
      const origin = Object.fromEntries(Object.entries(entry.origin).filter(([, v]) => v !== undefined));
      let pipeline: PipelineSpec = { name: entry.pipeline.name, steps: [] };
      try {
        pipeline = entry.pipeline.toSpec();
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        problems.push(...error.issues.map((issue) => `Nested pipeline "${entry.name}": ${issue.message}`));
      }
      return { name: entry.name, ...dependsOn(entry.dependsOn), pipeline, ...origin };
    }
    const { step } = entry;
    const where = `Step "${step.name}"`;
    if (this.#commands.lookup(step.commandName) !== step.command) problems.push(`${where}: its command (function ${step.commandName}) has no name in the registry`);
    if (step.rollback && !step.rollback.spec) problems.push(`${where}: its rollback is a function; YAML can only name a registry command ({ command, args })`);
    if (step.condition && !("text" in step.condition)) problems.push(`${where}: its condition is a function; YAML can only hold an expression`);
    if (typeof step.map?.items === "function") problems.push(`${where}: its items come from a function; YAML can only hold a list or an expression`);
    const map = step.map && {
      items: typeof step.map.items === "function" ? [] : step.map.items,
      ...(step.map.itemArg !== "item" && { itemArg: step.map.itemArg }),
      ...(step.map.concurrency !== undefined && { concurrency: step.map.concurrency }),
      ...(step.map.allowedFailures !== 0 && { allowedFailures: step.map.allowedFailures }),
    };
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
      dependsOn: step.options.dependsOn,
      condition: step.condition && "text" in step.condition ? step.condition.text : undefined,
      timeout: step.options.timeout,
      map,
    });
  }

  /** Writes the pipeline as YAML that `Pipeline.fromYaml` loads back to an equivalent pipeline. */
  async toYaml(path: string): Promise<void> {
    await writeFile(path, pipelineSpecToYaml(this.toSpec()));
  }
}

/** The step options a command step's data form gives. */
function commandStepOptions(step: CommandStepSpec): StepOptions<unknown> | MapStepOptions<unknown> {
  const options: StepOptions<unknown> = {
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
    dependsOn: step.dependsOn,
    condition: step.condition,
    timeout: step.timeout,
  };
  return step.map ? { ...options, ...step.map } : options;
}

/** Runs `add`; its validation problems, each placed at `location` unless it has its own. */
function collectIssues(location: SourceLocation | undefined, add: () => unknown): ValidationIssue[] {
  try {
    add();
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.issues.map((issue) => ({ ...issue, location: issue.location ?? location }));
  }
}

function withoutDefaults(step: CommandStepSpec): CommandStepSpec {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(step)) {
    if (value !== undefined && !isDefaultOption(key, value)) out[key] = value;
  }
  return out as unknown as CommandStepSpec;
}

function hasControlCharacter(text: string): boolean {
  return [...text].some((ch) => ch.charCodeAt(0) < 0x20);
}
