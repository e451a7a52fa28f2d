import { ValidationError } from "./errors.js";
import { stepFingerprint } from "./fingerprint.js";
import type { CommandResolver } from "./registry.js";
import { resolveStepOptions, type ResolvedStepOptions, type RollbackContext, type StepOptions } from "./step-options.js";
import type { Command, Json } from "./types.js";

/** A rollback ready to run, with what `toYaml` needs to write it back. */
export interface RollbackAction {
  run(ctx: RollbackContext): unknown;
  /** The registry command and args, when the rollback is one; a plain function has none. */
  spec: { command: string; args: Record<string, Json> } | undefined;
}

/** A step as the engine runs it: command resolved, options checked and defaulted. */
export interface StepDefinition {
  name: string;
  commandName: string;
  command: Command;
  options: ResolvedStepOptions;
  rollback: RollbackAction | undefined;
  fingerprint: string;
}

/**
 * Resolves the command (a registry name, or a function: then its registry name if it has one, so that a
 * step means the same in TypeScript and YAML); names the step in every error.
 */
export function defineStep(
  name: string,
  command: Command | string,
  options: StepOptions<unknown> | undefined,
  commands: CommandResolver,
  upstream: readonly StepDefinition[],
): StepDefinition {
  const resolved = resolveStepOptions(name, options);
  const [commandName, fn] = resolveCommand(`Step "${name}"`, command, commands);
  checkArgs(`Step "${name}"`, fn, resolved.args);
  return {
    name,
    commandName,
    command: fn,
    options: resolved,
    rollback: resolveRollback(name, resolved.rollback, commands),
    fingerprint: stepFingerprint(commandName, fn, resolved.args, upstream.map((step) => step.fingerprint)),
  };
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
        outputs: {},
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
