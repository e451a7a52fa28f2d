import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "./helpers.js";

const hasShell = (shell: string) => spawnSync(shell, ["-c", "exit 0"]).status === 0;

/** The command names `pipewright --help` lists. */
async function commandNames(): Promise<string[]> {
  const { out } = await runCli(["--help"]);
  const section = out.slice(out.indexOf("Commands:"));
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!);
}

async function script(shell: string): Promise<{ file: string; text: string; dir: string }> {
  const { code, out, err } = await runCli(["completion", shell]);
  expect(err).toBe("");
  expect(code).toBe(0);
  const dir = await tempDir();
  const file = join(dir, `pipewright.${shell}`);
  await writeFile(file, out);
  return { file, text: out, dir };
}

/** What the bash script offers for `words` (the last one is being typed), run in `cwd`. */
function bashComplete(file: string, words: string[], cwd: string): string[] {
  const run = spawnSync(
    "bash",
    ["--norc", "--noprofile", "-c", 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pipewright; printf "%s\\n" "${COMPREPLY[@]}"', "_", file, ...words],
    { cwd, encoding: "utf8" },
  );
  expect(run.stderr).toBe("");
  return run.stdout.split("\n").filter((line) => line !== "").sort();
}

describe("pipewright completion", () => {
  it.each(["bash", "zsh", "fish"])("the %s script names every command and their options", async (shell) => {
    const { text } = await script(shell);
    const names = await commandNames();
    expect(names).toEqual(expect.arrayContaining(["run", "validate", "history", "show", "clean", "completion"]));
    for (const name of names) expect(text).toMatch(new RegExp(`\\b${name}\\b`));
    for (const option of ["checkpoint-dir", "older-than", "dry-run", "registry", "limit"]) expect(text).toContain(option);
  });

  it("the bash script is valid bash, and completes commands, options, option values and arguments", async () => {
    const { file, dir } = await script("bash");
    await mkdir(join(dir, "checkpoints"));
    expect(spawnSync("bash", ["-n", file]).status).toBe(0);

    expect(bashComplete(file, ["pipewright", "hi"], dir)).toEqual(["history"]);
    expect(bashComplete(file, ["pipewright", "clean", "--k"], dir)).toEqual(["--keep"]);
    expect(bashComplete(file, ["pipewright", "history", "--"], dir)).toEqual(["--checkpoint-dir", "--help", "--json", "--limit", "--pipeline"]);
    expect(bashComplete(file, ["pipewright", "completion", ""], dir)).toEqual(["bash", "fish", "zsh"]);
    expect(bashComplete(file, ["pipewright", "show", "--checkpoint-dir", "che"], dir)).toEqual(["checkpoints"]);
    expect(bashComplete(file, ["pipewright", "run", "pipe"], dir)).toEqual(["pipewright.bash"]);
    expect(bashComplete(file, ["pipewright", "help", "cl"], dir)).toEqual(["clean"]);
  });

  it.skipIf(!hasShell("zsh"))("the zsh script is valid zsh", async () => {
    const { file } = await script("zsh");
    expect(spawnSync("zsh", ["-n", file]).status).toBe(0);
  });

  it.skipIf(!hasShell("fish"))("the fish script is valid fish", async () => {
    const { file } = await script("fish");
    expect(spawnSync("fish", ["-n", file]).status).toBe(0);
  });

  it("rejects a shell it does not know with exit 2, and says how to install in --help", async () => {
    const unknown = await runCli(["completion", "tcsh"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("bash, zsh, fish");

    const help = await runCli(["completion", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("pipewright completion bash > ~/.local/share/bash-completion/completions/pipewright");
    expect(help.out).toContain("~/.config/fish/completions/pipewright.fish");
  });
});
