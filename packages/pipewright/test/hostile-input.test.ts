/**
 * Hostile input: YAML that tries to run code or expand without bound, pipeline and step names that
 * try to leave the checkpoint directory, and exec parameters that try to reach a shell.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../src/errors.js";
import { Pipeline } from "../src/pipeline.js";
import { pathInside, safeFileName } from "../src/checkpoint/safe-file-name.js";
import { MAX_ALIAS_COUNT, parsePipelineYaml } from "../src/yaml/load-pipeline-yaml.js";
import { tempDir } from "./helpers.js";

function rejection(text: string): ValidationError {
  try {
    parsePipelineYaml(text, "p.yml", { env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("the document loaded, but it should not");
}

/** Anchors a..i, each alias list ten times the one before: 10^9 strings once expanded. */
function billionLaughs(indent: string): string {
  const letters = "abcdefghi";
  const lines = [`${indent}a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]`];
  for (let i = 1; i < letters.length; i++) {
    lines.push(`${indent}${letters[i]}: &${letters[i]} [${Array(10).fill(`*${letters[i - 1]}`).join(", ")}]`);
  }
  return lines.join("\n");
}

describe("YAML anchors and aliases cannot expand without bound", () => {
  it("rejects a 'billion laughs' document (9 levels × 10 aliases) in well under a second, at the alias", () => {
    const text = `name: p\nsteps:\n  - name: s\n    command: x\n    kwargs:\n${billionLaughs("      ")}\n`;
    const started = performance.now();
    const error = rejection(text);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.message).toMatch(/too many alias expansions .*billion laughs/);
    expect(error.issues[0]?.location).toEqual({ file: "p.yml", line: 7, column: 14 });
  });

  it("rejects it at the top level too, and through Pipeline.fromYaml", async () => {
    const dir = await tempDir();
    const file = join(dir, "laughs.yml");
    await writeFile(file, `${billionLaughs("x")}\nname: p\nsteps:\n  - name: s\n    command: exec\n`);
    const started = performance.now();
    await expect(Pipeline.fromYaml(file)).rejects.toThrow(/too many alias expansions/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it(`rejects more than ${MAX_ALIAS_COUNT} aliases, however small their values`, () => {
    const aliases = Array(MAX_ALIAS_COUNT + 1).fill("*a").join(", ");
    const error = rejection(`name: p\nsteps:\n  - name: s\n    command: x\n    kwargs: { a: &a 1, b: [${aliases}] }\n`);
    expect(error.issues.map((i) => i.message)).toEqual([`too many aliases (more than ${MAX_ALIAS_COUNT}): write the values out instead`]);
  });

  it("rejects an alias inside its own anchor (a value that would contain itself)", () => {
    const error = rejection("name: p\nsteps:\n  - name: s\n    command: x\n    kwargs: &k { self: *k }\n");
    expect(error.issues[0]?.message).toMatch(/inside its own anchor/);
  });

  it("accepts a few aliases, each expanded into a copy of its own", () => {
    const spec = parsePipelineYaml(
      "name: p\nsteps:\n  - name: s\n    command: x\n    kwargs: &k { a: [1, 2] }\n  - name: t\n    command: x\n    kwargs: *k\n",
      "p.yml",
      { env: {} },
    );
    const [s, t] = spec.steps as unknown as { args: { a: number[] } }[];
    expect(t?.args).toEqual({ a: [1, 2] });
    expect(t?.args).not.toBe(s?.args);
  });
});

describe("YAML tags never run code: custom and language tags are rejected with a located error", () => {
  it.each([
    ["!!js/function 'function () { globalThis.pwned = true }'", "!!js/function"],
    ["!!js/undefined ''", "!!js/undefined"],
    ["!include /etc/passwd", "!include"],
    ["!!python/object/apply:os.system ['touch /tmp/pwned']", "!!python/object/apply:os.system"],
    ["!<tag:yaml.org,2002:js/regexp> /x/", "!<tag:yaml.org,2002:js/regexp>"],
    ["!!binary aGVsbG8=", "!!binary"],
    ["!!set { a, b }", "!!set"],
    ["!!timestamp 2001-12-14", "!!timestamp"],
    ["!env HOME", "!env"],
  ])("%s is an unknown tag", (value, tag) => {
    const error = rejection(`name: p\nsteps:\n  - name: s\n    command: x\n    kwargs:\n      v: ${value}\n`);
    expect(error.issues).toEqual([
      { message: `unknown tag ${tag}: pipeline files hold plain data, without custom or language-specific tags`, location: { file: "p.yml", line: 6, column: 10 } },
    ]);
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
    expect(existsSync("/tmp/pwned")).toBe(false);
  });

  it("a %TAG directive's custom tag is unknown too", () => {
    const error = rejection("%TAG !e! tag:example.com,2000:\n---\nname: p\nsteps:\n  - name: s\n    command: x\n    kwargs: { v: !e!foo bar }\n");
    expect(error.issues[0]?.message).toMatch(/^unknown tag !e!foo/);
  });

  it("the core schema's own tags (!!str, !!int) are plain data", () => {
    const spec = parsePipelineYaml("name: p\nsteps:\n  - name: s\n    command: x\n    kwargs: { a: !!str 12, b: !!int '7' }\n", "p.yml", { env: {} });
    expect((spec.steps[0] as { args: unknown }).args).toEqual({ a: "12", b: 7 });
  });

  it("a << merge key is an unknown key, not a merge", () => {
    const error = rejection("name: p\nsteps:\n  - &s\n    name: s\n    command: x\n  - <<: *s\n    name: t\n");
    expect(error.issues.map((i) => i.message)).toContainEqual(expect.stringMatching(/^unknown key "<<"/));
  });
});

/** Every file and directory under `root`, relative to it. */
async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map(String).sort();
}

const HOSTILE_NAMES = [
  "../../../../etc/x",
  "../escape",
  "..",
  ".",
  "./.././..",
  "/tmp/pwned-absolute",
  "/",
  "C:\\Windows\\x",
  "..\\..\\x",
  "nul\0byte",
  "\0",
  "a/../../b",
  "x".repeat(300),
  "é".repeat(300),
  "日本語/パイプライン",
  "emoji 🚀 name",
  " ",
  "-rf",
  ".hidden",
  "con",
  "name\nwith\nnewlines",
];

describe("pipeline and step names cannot escape the checkpoint directory", () => {
  /** Runs `build(checkpointDir)` in a nested temp dir; returns what was created, relative to the outer dir. */
  async function created(build: (checkpointDir: string) => Promise<unknown>): Promise<{ inside: string[]; outside: string[] }> {
    const outer = await tempDir();
    const parent = join(outer, "a", "b", "c", "d", "e");
    await mkdir(parent, { recursive: true });
    const checkpointDir = join(parent, "checkpoints");
    const before = new Set(await tree(outer));
    await build(checkpointDir);
    const after = (await tree(outer)).filter((p) => !before.has(p));
    const cp = relative(outer, checkpointDir);
    return {
      inside: after.filter((p) => p === cp || p.startsWith(cp + sep)),
      outside: after.filter((p) => !(p === cp || p.startsWith(cp + sep))),
    };
  }

  it.each(HOSTILE_NAMES.map((n) => [JSON.stringify(n).slice(0, 40), n]))("pipeline name %s: every file stays inside checkpointDir", async (_label, name) => {
    const files = await created(async (checkpointDir) => {
      const result = await new Pipeline({ name: name.trim() === "" ? `${name}x` : name, checkpointDir }).addStep("s", () => 1).execute();
      expect(result.success).toBe(true);
      expect(result.checkpointPath && relative(checkpointDir, result.checkpointPath)).not.toMatch(/[/\\]|^\.\./);
    });
    expect(files.outside).toEqual([]);
    expect(files.inside.length).toBeGreaterThan(1);
    expect(existsSync("/tmp/pwned-absolute")).toBe(false);
  });

  it.each(HOSTILE_NAMES.filter((n) => /[\0\n]/.test(n)).map((n) => [JSON.stringify(n), n]))("step name %s is rejected clearly, before anything is written", async (_label, name) => {
    const files = await created((checkpointDir) => {
      expect(() => new Pipeline({ name: "steps", checkpointDir }).addStep(name, () => 1)).toThrow(/without control characters/);
      return Promise.resolve();
    });
    expect([...files.inside, ...files.outside]).toEqual([]);
  });

  it.each(HOSTILE_NAMES.filter((n) => !/[/\0\n]/.test(n) && n.trim() !== "").map((n) => [JSON.stringify(n).slice(0, 40), n]))(
    "step name %s (a plain step and a map step): every file stays inside checkpointDir",
    async (_label, name) => {
      const files = await created(async (checkpointDir) => {
        const result = await new Pipeline({ name: "steps", checkpointDir })
          .addStep(name, () => 1)
          .addMapStep(`${name}-map`, { items: ["a", "b", "c"], command: (args: { item: string }) => args.item })
          .execute();
        expect(result.success).toBe(true);
        // Resuming from a hostile execution id finds nothing (whether that fails the run or starts afresh), and writes nowhere else either.
        await new Pipeline({ name: "steps", checkpointDir })
          .addStep(name, () => 1)
          .execute({ resumeFrom: "../../../../x" })
          .catch(() => undefined);
      });
      expect(files.outside).toEqual([]);
      expect(files.inside.some((f) => f.includes(".items-"))).toBe(true);
    },
  );

  it("safeFileName always gives one plain path segment inside the directory, distinct for distinct names (property)", () => {
    const dir = "/var/cp";
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 400 }), fc.constantFrom(...HOSTILE_NAMES)), fc.string({ unit: "binary", maxLength: 30 }), (a, b) => {
        const safe = safeFileName(a);
        expect(safe).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
        expect(safe.length).toBeLessThanOrEqual(89);
        expect(pathInside(dir, `${safe}_x.json`)).toBe(`${dir}/${safe}_x.json`);
        if (a !== b) expect(safeFileName(b)).not.toBe(safe);
      }),
      { numRuns: 2000 },
    );
    expect(() => pathInside(dir, "../x")).toThrow(/outside/);
    expect(() => pathInside(dir, "/etc/passwd")).toThrow(/outside/);
    expect(() => pathInside(dir, "")).toThrow(/outside/);
  });
});

describe("exec passes arguments as argv, never through a shell", () => {
  const marker = `/tmp/pwned-${randomBytes(6).toString("hex")}`;
  const VALUES = [
    "; rm -rf /",
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `&& touch ${marker}`,
    `| touch ${marker}`,
    `x\ntouch ${marker}`,
    `'; touch ${marker}; '`,
    `"; touch ${marker}; "`,
    "${HOME}",
    "$HOME",
    "*",
    "-e",
    "--require=/dev/null",
    "",
    " spaced  out ",
    "12",
    "\\",
  ];
  // What the program sees as its arguments, written to a file (so that no output parsing is involved).
  // `--` ends node's own options: without it node itself would read a value like "-e" as one of them.
  const SCRIPT = "require('fs').writeFileSync(process.env.OUT, JSON.stringify(process.argv.slice(1)))";

  it.each(VALUES.map((v) => [JSON.stringify(v), v]))("${X} = %s reaches the program as exactly one plain argument", async (_label, value) => {
    const dir = await tempDir();
    const file = join(dir, "p.yml");
    const out = join(dir, "argv.json");
    const out2 = join(dir, "argv2.json");
    await writeFile(
      file,
      [
        "name: argv",
        "steps:",
        "  - name: placeholder",
        "    command: exec",
        "    kwargs:",
        `      argv: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(SCRIPT)}, --, "\${X}"]`,
        `      env: { OUT: ${JSON.stringify(out)} }`,
        "  - name: expression",
        "    command: exec",
        "    kwargs:",
        `      argv: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(SCRIPT)}, --, "\${{ params.X }}"]`,
        `      env: { OUT: ${JSON.stringify(out2)} }`,
      ].join("\n"),
    );
    const pipeline = await Pipeline.fromYaml(file, {}, { params: { X: value }, checkpointDir: join(dir, "cp"), env: {} });
    const result = await pipeline.execute();
    expect(result.success).toBe(true);
    expect(JSON.parse(await readFile(out, "utf8"))).toEqual([value]);
    expect(JSON.parse(await readFile(out2, "utf8"))).toEqual([value]);
    expect(existsSync(marker)).toBe(false);
  });
});
