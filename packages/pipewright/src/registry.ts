import { execCommand } from "./commands/exec.js";
import type { Command, Registry } from "./types.js";

/** Commands every registry has. */
export const builtinCommands: Readonly<Record<string, Command>> = { exec: execCommand as Command };

/** Looks a command up by name: the registry first, then the built-ins. */
export function registryLookup(registry: Registry | undefined): (name: string) => Command | undefined {
  return (name) => {
    const found = registry instanceof Map ? registry.get(name) : ownValue(registry as Record<string, Command> | undefined, name);
    return (found as Command | undefined) ?? ownValue(builtinCommands, name);
  };
}

/** Every command name a registry resolves, built-ins included. */
export function registryNames(registry: Registry | undefined): string[] {
  const names = registry instanceof Map ? [...registry.keys()] : Object.keys(registry ?? {});
  return [...new Set([...names, ...Object.keys(builtinCommands)])];
}

/** The name under which `fn` is registered, if any. */
export function registryNameOf(registry: Registry | undefined, fn: Command): string | undefined {
  const entries = registry instanceof Map ? [...registry.entries()] : Object.entries(registry ?? {});
  const builtins = Object.entries(builtinCommands);
  return [...entries, ...builtins].find(([, command]) => command === fn)?.[0];
}

// Own properties only: a YAML file naming "constructor" or "__proto__" must not reach Object.prototype.
function ownValue(record: Readonly<Record<string, Command>> | undefined, name: string): Command | undefined {
  return record && Object.hasOwn(record, name) ? record[name] : undefined;
}
