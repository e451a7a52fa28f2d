import type { PipelineResult } from "pipewright";
import type { Output, Terminal } from "./output.js";
import { listen, type EventSource } from "./display/listen.js";
import { trackItems } from "./display/item-notes.js";
import { attachJsonRenderer } from "./json-renderer.js";
import { attachLiveRenderer } from "./live-renderer.js";
import { attachPlainRenderer } from "./plain-renderer.js";
import { formatSummary, formatVerdict } from "./summary.js";

/** The `run` command's output flags. */
export interface DisplayOptions {
  /** One JSON object per event on stdout, nothing else there. */
  json?: boolean;
  /** Only errors and the final verdict line. */
  quiet?: boolean;
  /** Step logs and errors in full in the live display (by default each line is cut to the width). */
  verbose?: boolean;
}

/**
 * `live`: redrawn in place on an interactive terminal; `plain`: a timestamped line per event (a file,
 * a pipe, CI); `json`: events as JSON lines; `quiet`: the verdict alone.
 */
export type DisplayMode = "live" | "plain" | "json" | "quiet";

/** What the `run` command does with a renderer: attach it, let it show notices, end it with the result. */
export interface Renderer {
  readonly mode: DisplayMode;
  /** A message of the CLI's own during the run (e.g. "SIGINT: stopping"), to stderr, without breaking the display. */
  notice(text: string): void;
  /** Ends the display and prints the end of the run as the mode wants it (the summary table, or the verdict). */
  finish(result: PipelineResult): void;
  /** Stops listening and gives the terminal back (cursor shown); safe after `finish` and twice. */
  close(): void;
}

/** Which display `options` and the place `out` writes to call for. */
export function displayMode(options: DisplayOptions, output: Output, env: NodeJS.ProcessEnv = process.env): DisplayMode {
  if (options.json) return "json";
  if (options.quiet) return "quiet";
  return isInteractive(output.terminal, env) ? "live" : "plain";
}

/** An interactive terminal of known width, not CI (CI logs keep every line), not TERM=dumb. */
export function isInteractive(terminal: Terminal | undefined, env: NodeJS.ProcessEnv): terminal is Terminal {
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "0" && env.CI.toLowerCase() !== "false";
  return Boolean(terminal?.isTTY) && !ci && env.TERM !== "dumb" && (terminal?.columns ?? 0) > 0;
}

/** Attaches the renderer the options and the terminal call for. */
export function attachRenderer(source: EventSource, output: Output, options: DisplayOptions, env: NodeJS.ProcessEnv = process.env): Renderer {
  const mode = displayMode(options, output, env);
  const c = output.colors;
  switch (mode) {
    case "json": {
      const unlisten = attachJsonRenderer(source, output);
      // A command's console.log would break the JSON lines: what others print goes to stderr instead.
      const restore = output.terminal?.interceptWrites?.((text) => output.err(text));
      const stop = () => {
        unlisten();
        restore?.();
      };
      return {
        mode,
        notice: (text) => output.err(text),
        // stdout carries events only: the summary goes to stderr, for the person watching.
        finish: (result) => {
          stop();
          if (!options.quiet) output.err(formatSummary(result, c));
        },
        close: stop,
      };
    }
    case "quiet": {
      // A throwing listener is an error of the caller's code: still worth a line on stderr.
      const stop = listen(source, { hookError: (e) => output.err(c.yellow(`! a ${e.event} listener threw: ${e.error}\n`)) });
      return {
        mode,
        notice: (text) => output.err(text),
        finish: (result) => {
          stop();
          output.out(`${formatVerdict(result, c)}\n`);
        },
        close: stop,
      };
    }
    case "live":
    case "plain": {
      const items = trackItems(source);
      const terminal = output.terminal;
      const display =
        mode === "live" && terminal
          ? attachLiveRenderer(source, { ...output, terminal }, { verbose: options.verbose })
          : { notice: (text: string) => output.err(text), stop: attachPlainRenderer(source, output) };
      const close = () => {
        display.stop();
        items.stop();
      };
      return {
        mode,
        notice: (text) => display.notice(text),
        finish: (result) => {
          close();
          output.out(formatSummary(result, c, items.notes(c)));
        },
        close,
      };
    }
  }
}
