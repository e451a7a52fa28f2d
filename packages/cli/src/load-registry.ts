import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ValidationError, type Command } from "pipewright";
import { tsImport } from "tsx/esm/api";

/**
 * Builds a registry from modules (JS or TS). A module's command names are its exported functions,
 * or the functions of a default-exported object (`export default { stage_all_command, ... }`).
 * Later modules win over earlier ones.
 */
export async function loadRegistry(modules: readonly string[]): Promise<Record<string, Command>> {
  const registry: Record<string, Command> = {};
  for (const specifier of modules) {
    const exports = await importModule(specifier);
    const fromDefault = isObject(exports.default) ? exports.default : {};
    for (const [name, value] of [...Object.entries(exports), ...Object.entries(fromDefault)]) {
      if (typeof value === "function") registry[name] = value as Command;
    }
  }
  return registry;
}

/** A path relative to the working directory (or absolute), not a bare package name ("my-commands"). */
export function isModulePath(specifier: string): boolean {
  return specifier.startsWith(".") || specifier.startsWith("/") || /\.[cm]?[jt]s$/.test(specifier);
}

async function importModule(specifier: string): Promise<Record<string, unknown>> {
  const target = isModulePath(specifier) ? pathToFileURL(resolve(specifier)).href : specifier;
  try {
    // tsImport reads TypeScript wherever it is, also outside any package with "type": "module".
    return (await tsImport(target, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    throw new ValidationError(`Cannot load registry module ${specifier}: ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
