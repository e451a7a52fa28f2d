import { execCommand } from "./commands/exec.js";
import type { Command, Registry } from "./types.js";

/** Commands every registry has. */
export const builtinCommands: Readonly<Record<string, Command>> = { exec: execCommand as Command };

function entriesOf(registry: Registry | undefined): Array<[string, Command]> {
  if (registry === undefined) return [];
  const entries = registry instanceof Map ? [...registry.entries()] : Object.entries(registry as Record<string, Command<never>>);
  return entries as Array<[string, Command]>;
}

/** Resolves commands both ways: a name to its function, a function to the name it is registered under. */
export interface CommandResolver {
  lookup(name: string): Command | undefined;
  nameOf(fn: Command): string | undefined;
}

/** The registry first, then the built-ins. */
export function commandResolver(registry: Registry | undefined): CommandResolver {
  // Own entries only: a YAML file naming "constructor" or "__proto__" must not reach Object.prototype.
  const commands = new Map([...Object.entries(builtinCommands), ...entriesOf(registry)]);
  const names = new Map([...commands].reverse().map(([name, fn]) => [fn, name]));
  return { lookup: (name) => commands.get(name), nameOf: (fn) => names.get(fn) };
}

/** Every command name a registry resolves, built-ins included. */
export function registryNames(registry: Registry | undefined): string[] {
  return [...new Set([...entriesOf(registry).map(([name]) => name), ...Object.keys(builtinCommands)])];
}
