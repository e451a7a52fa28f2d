import type { Argument, Command as Program, Option } from "commander";

/** What a shell can offer for a value, and the value's name (`<dir>`: "dir"). */
export type ValueKind = { name: string } & ({ kind: "file" } | { kind: "dir" } | { kind: "choices"; choices: string[] } | { kind: "text" });

export interface OptionSpec {
  /** `-p`, `--param` */
  flags: string[];
  description: string;
  value: ValueKind | undefined;
  /** `--resume [id]`: the next word may be the value or not. */
  valueIsOptional: boolean;
  repeatable: boolean;
}

export interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  /** What the first argument takes, when the command has one. */
  argument: ValueKind | undefined;
}

export interface CliSpec {
  name: string;
  options: OptionSpec[];
  commands: CommandSpec[];
}

/** The commands and options as commander knows them (its help command and options included): what completion scripts are made from. */
export function cliSpec(program: Program): CliSpec {
  const help = program.createHelp();
  const visible = help.visibleCommands(program);
  const names = visible.map((command) => command.name());
  return {
    name: program.name(),
    options: help.visibleOptions(program).map(optionSpec),
    commands: visible.map((command) => ({
      name: command.name(),
      description: command.description(),
      options: help.visibleOptions(command).map(optionSpec),
      argument: command.registeredArguments[0] && argumentKind(command.registeredArguments[0], names),
    })),
  };
}

function optionSpec(option: Option): OptionSpec {
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1];
  const takesValue = option.required || option.optional;
  return {
    flags: [option.short, option.long].filter((flag) => flag !== undefined),
    description: option.description,
    value: takesValue ? valueKind(placeholder ?? "value", option.argChoices) : undefined,
    valueIsOptional: option.optional,
    // Options that collect (a list or an object as their default) may be given again.
    repeatable: option.variadic || (typeof option.defaultValue === "object" && option.defaultValue !== null),
  };
}

function argumentKind(argument: Argument, commandNames: string[]): ValueKind {
  // `help [command]` takes a command's name.
  return valueKind(argument.name(), argument.argChoices ?? (argument.name() === "command" ? commandNames : undefined));
}

function valueKind(name: string, choices: string[] | undefined): ValueKind {
  if (choices) return { name, kind: "choices", choices };
  if (name === "dir") return { name, kind: "dir" };
  if (name === "file" || name === "module") return { name, kind: "file" };
  return { name, kind: "text" };
}
