import { Argument, type Command as Program } from "commander";
import type { CommandContext } from "./command-context.js";
import { bashScript } from "./completion-bash.js";
import { fishScript } from "./completion-fish.js";
import { cliSpec, type CliSpec } from "./completion-spec.js";
import { zshScript } from "./completion-zsh.js";
import { ExitCode } from "./exit-codes.js";

const SCRIPTS: Record<string, (spec: CliSpec) => string> = { bash: bashScript, zsh: zshScript, fish: fishScript };

/** Registers `pipewright completion SHELL`: a script made from the program's commands and options as they are when it runs. */
export function registerCompletion(program: Program, context: CommandContext): void {
  program
    .command("completion")
    .description("Print a shell completion script (bash, zsh or fish)")
    .addArgument(new Argument("<shell>", "the shell to complete in").choices(Object.keys(SCRIPTS)))
    .addHelpText(
      "after",
      `
Install:
  bash  $ pipewright completion bash > ~/.local/share/bash-completion/completions/pipewright
        (or add  eval "$(pipewright completion bash)"  to ~/.bashrc)
  zsh   $ pipewright completion zsh > "\${fpath[1]}/_pipewright"
        (or add  source <(pipewright completion zsh)  to ~/.zshrc, after compinit)
  fish  $ pipewright completion fish > ~/.config/fish/completions/pipewright.fish
Then start a new shell.`,
    )
    .action((shell: string) => {
      context.output.out(SCRIPTS[shell]!(cliSpec(program)));
      context.exit(ExitCode.SUCCESS);
    });
}
