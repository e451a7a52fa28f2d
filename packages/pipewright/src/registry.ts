import { execCommand } from "./commands/exec.js";
import type { Command, Registry } from "./types.js";

/** Commands every registry has. */
export const builtinCommands: Readonly<Record<string, Command>> = { exec: execCommand as Command };

function entriesOf(registry: Registry | undefined): Array<[string, Command]> {
  if (registry === undefined) return [];
  const entries = registry instanceof Map ? [...registry.entries()] : Object.entries(registry as Record<string, Command<never>>);
  return entries as Array<[string, Command]>;
}

/** Looks a command up by name: the registry first, then the built-ins. */
export function registryLookup(registry: Registry | undefined): (name: string) => Command | undefined {
  // Own entries only: a YAML file naming "constructor" or "__proto__" must not reach Object.prototype.
  const commands = new Map([...Object.entries(builtinCommands), ...entriesOf(registry)]);
  return (name) => commands.get(name);
}

/** Every command name a registry resolves, built-ins included. */
export function registryNames(registry: Registry | undefined): string[] {
  return [...new Set([...entriesOf(registry).map(([name]) => name), ...Object.keys(builtinCommands)])];
}

/** The name under which `fn` is registered, if any. */
export function registryNameOf(registry: Registry | undefined, fn: Command): string | undefined {
  return [...entriesOf(registry), ...Object.entries(builtinCommands)].find(([, command]) => command === fn)?.[0];
}
