import { errorMessage, ValidationError, type SourceLocation } from "./errors.js";
import { parseCondition, type Expression } from "./expressions/expression.js";
import { compileTemplate, type CompiledTemplate } from "./expressions/template.js";
import { resolveMapOptions, type MapStepOptions, type ResolvedMapOptions } from "./map-options.js";
import type { CommandResolver } from "./registry.js";
import { resolveStepOptions, type ResolvedStepOptions, type RollbackContext, type StepCondition, type StepOptions } from "./step-options.js";
import type { Command, Json } from "./types.js";

/** A rollback ready to run, with what `toYaml` needs to write it back. */
export interface RollbackAction {
  run(ctx: RollbackContext): unknown;
  /** The registry command and args, when the rollback is one; a plain function has none. */
  spec: { command: string; args: Record<string, Json> } | undefined;
}

/** A step's condition, ready to test: a function, or a parsed expression with its text (for messages and YAML). */
export type ConditionCheck = { function: StepCondition } | { expression: Expression; text: string };

/** A step as the engine runs it: command resolved, options checked and defaulted, expressions parsed. */
export interface StepDefinition {
  /** Unique in the pipeline; steps of nested pipelines are named `outer/inner`. */
  name: string;
  commandName: string;
  command: Command;
  options: ResolvedStepOptions;
  /** The args' `${{ }}` expressions, compiled: resolved when the step starts. Without any, use `options.args`. */
  args: CompiledTemplate;
  condition: ConditionCheck | undefined;
  /** Set for a map step: the command runs once per item. */
  map: ResolvedMapOptions | undefined;
  rollback: RollbackAction | undefined;
  /** Names of what the step waits for, defaults applied (a group's or nested pipeline's name stands for all of it). */
  dependsOn: readonly string[];
  /**
   * Whether `dependsOn` was named (needs those steps' results) rather than defaulted (only comes after
   * them). With `stopOnError: false`, a failure skips only the steps that named it.
   */
  explicitDependsOn: boolean;
  /** The parallel group or nested pipeline the step belongs to, if any. */
  group: string | undefined;
  /** Prefix of the names the step's expressions mean: `steps.x` in a step of nested pipeline `sub` is `sub/x`. */
  namespace: string;
  /** The params the step sees, when not the run's (a nested pipeline's own). */
  params: Readonly<Record<string, string>> | undefined;
  /** Where the step is written, for error messages. */
  location: SourceLocation | undefined;
}

/** Where a step sits in the pipeline: given by the pipeline as it adds the step. */
export interface StepPlacement {
  /** What the step waits for when its options name nothing. */
  defaultDependsOn: readonly string[];
  group?: string;
  location?: SourceLocation;
}

/**
 * Resolves the command (a registry name, or a function: then its registry name if it has one, so that a
 * step means the same in TypeScript and YAML); names the step in every error.
 */
export function defineStep(
  name: string,
  command: Command | string,
  options: StepOptions<unknown> | MapStepOptions<unknown> | undefined,
  commands: CommandResolver,
  placement: StepPlacement,
): StepDefinition {
  const resolved = resolveStepOptions(name, options);
  const map = options && "items" in options && options.items !== undefined ? resolveMapOptions(name, options) : undefined;
  const [commandName, fn] = resolveCommand(`Step "${name}"`, command, commands);
  checkArgs(`Step "${name}"`, fn, resolved.args);
  return {
    name,
    commandName,
    command: fn,
    options: resolved,
    args: compiled(`Step "${name}"`, resolved.args),
    condition: conditionCheck(name, resolved.condition),
    map,
    rollback: resolveRollback(name, resolved.rollback, commands),
    dependsOn: resolved.dependsOn ?? placement.defaultDependsOn,
    explicitDependsOn: resolved.dependsOn !== undefined,
    group: placement.group,
    namespace: "",
    params: undefined,
    location: placement.location,
  };
}

/** What `args` is for a step without `${{ }}`: one shared value (100,000 steps need not hold 100,000). */
const WITHOUT_EXPRESSIONS = compileTemplate({});

function compiled(where: string, args: Record<string, Json>): CompiledTemplate {
  try {
    const template = compileTemplate(args);
    // The args themselves stay in `options.args`, which is what runs when there is nothing to resolve.
    return template.hasExpressions ? template : WITHOUT_EXPRESSIONS;
  } catch (error) {
    throw new ValidationError(`${where}: ${errorMessage(error)}`);
  }
}

function conditionCheck(stepName: string, condition: StepCondition | string | undefined): ConditionCheck | undefined {
  if (condition === undefined) return undefined;
  if (typeof condition === "function") return { function: condition };
  try {
    return { expression: parseCondition(condition), text: condition };
  } catch (error) {
    throw new ValidationError(`Step "${stepName}": invalid condition \`${condition}\`: ${errorMessage(error)}`);
  }
}

function resolveCommand(where: string, command: Command | string, commands: CommandResolver): [string, Command] {
  if (typeof command === "function") return [commands.nameOf(command) ?? (command.name || "anonymous"), command];
  if (typeof command !== "string") {
    throw new ValidationError(`${where}: expected \`command\` to be a function or a registry name, got \`${typeof command}\``);
  }
  const fn = commands.lookup(command);
  if (!fn) throw new ValidationError(`${where}: Unknown command: ${command}`);
  return [command, fn];
}

function resolveRollback(
  stepName: string,
  rollback: ResolvedStepOptions["rollback"],
  commands: CommandResolver,
): RollbackAction | undefined {
  if (rollback === undefined) return undefined;
  if (typeof rollback === "function") return { run: rollback, spec: undefined };
  const [commandName, fn] = resolveCommand(`Rollback of step "${stepName}"`, rollback.command, commands);
  const args = rollback.args ?? {};
  checkArgs(`Rollback of step "${stepName}"`, fn, args);
  return {
    run: (ctx) =>
      fn(args, {
        signal: new AbortController().signal, // rollback is never interrupted
        attempt: 1,
        executionId: ctx.executionId,
        pipelineName: ctx.pipelineName,
        stepName: ctx.stepName,
        // What the step returned (in YAML a rollback has no other way to know what to undo).
        outputs: { [ctx.stepName]: ctx.output },
        params: ctx.params,
        log: (message) => ctx.log(message),
        progress: () => {},
      }),
    spec: { command: commandName, args },
  };
}

/** Lets a command that can check its args (exec) report bad ones before anything runs. */
function checkArgs(where: string, command: Command, args: Record<string, Json>): void {
  const problems = command.checkArgs?.(args) ?? [];
  if (problems.length > 0) throw new ValidationError(problems.map((problem) => ({ message: `${where}: ${problem}` })));
}
