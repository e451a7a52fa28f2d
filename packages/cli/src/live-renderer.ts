import type { Output, Terminal } from "./output.js";
import { entryLines, liveLines, type LineStyle } from "./display/lines.js";
import { HIDE_CURSOR, LiveArea, SHOW_CURSOR } from "./display/live-area.js";
import { listen, type EventSource } from "./display/listen.js";
import { DisplayModel } from "./display/model.js";
import { sanitize } from "./display/text-width.js";

export interface LiveRendererOptions {
  /** Step log lines and errors in full (wrapped by the terminal) instead of cut to the width. */
  verbose?: boolean;
  /** Milliseconds between frames. @default 80 */
  interval?: number;
  /** The clock for elapsed times, rates and ETAs. @default Date.now */
  now?: () => number;
  /** Runs `listener` if the process exits while the display is live (a second Ctrl-C): the cursor must come back. @default process "exit" */
  onExit?: (listener: () => void) => () => void;
}

/** The live display, as the `run` command drives it. */
export interface LiveDisplay {
  /** Writes a message of the CLI's own to stderr (e.g. "SIGINT: stopping") without breaking the live area. */
  notice(text: string): void;
  /** Draws the last frame, clears the live area, shows the cursor and stops listening; safe to call twice. */
  stop(): void;
}

const FALLBACK_COLUMNS = 80;
const MAX_LIVE_LINES = 24;

/**
 * The interactive display: lines of finished steps, logs and retries print once above a live area
 * that shows the running steps and is redrawn in place on a timer. Events only update the model; a
 * frame is drawn every `interval` ms, on resize, and once at the end.
 */
export function attachLiveRenderer(source: EventSource, output: Output & { terminal: Terminal }, options: LiveRendererOptions = {}): LiveDisplay {
  const { terminal, colors } = output;
  const now = options.now ?? Date.now;
  const interval = options.interval ?? 80;
  const model = new DisplayModel();
  const area = new LiveArea(output.out);
  let tick = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let live = false;
  let stopped = false;
  let offExit: (() => void) | undefined;
  let offResize: (() => void) | undefined;
  let offIntercept: (() => void) | undefined;
  // What others wrote to stderr while the display was live, printed at the next frame (stdout goes through the model).
  let foreignErr = "";

  const columns = () => terminal.columns || FALLBACK_COLUMNS;
  const style = (): LineStyle => ({ colors, width: columns() - 1, verbose: options.verbose ?? false });
  const maxLines = () => {
    const rows = terminal.rows;
    return rows ? Math.max(2, Math.min(MAX_LIVE_LINES, rows - 2)) : MAX_LIVE_LINES / 2;
  };

  const draw = () => {
    const s = style();
    if (foreignErr) {
      area.clear(columns()); // stderr goes to the same screen: make room for it first
      output.err(takeForeignErr());
    }
    const above = model.takeEntries().flatMap((entry) => entryLines(entry, s));
    const lines = model.finished ? [] : liveLines(model, { now: now(), tick: tick++, maxLines: maxLines() }, s);
    area.draw(above, lines, columns());
  };
  /** Others' stderr text, sanitized, ending in a newline (a partial line is ended: the live area follows it). */
  const takeForeignErr = () => {
    const lines = foreignErr.split("\n").map(sanitize);
    if (lines.at(-1) === "") lines.pop();
    foreignErr = "";
    return `${lines.join("\n")}\n`;
  };

  const start = () => {
    live = true;
    output.out(HIDE_CURSOR);
    timer = setInterval(draw, interval);
    timer.unref(); // a display must never keep the process alive
    offResize = terminal.onResize(() => {
      area.invalidate();
      draw();
    });
    offIntercept = terminal.interceptWrites?.((text, stream) => (stream === "out" ? model.printed(text) : (foreignErr += text)));
    offExit = (options.onExit ?? onProcessExit)(() => {
      offIntercept?.();
      area.clear(columns());
      if (foreignErr) output.err(takeForeignErr());
      const printed = model.takeEntries().flatMap((entry) => (entry.type === "printed" ? [entry.text] : []));
      if (printed.length > 0) output.out(`${printed.join("\n")}\n`);
      output.out(SHOW_CURSOR);
    });
  };

  const finish = () => {
    if (!live) return;
    live = false;
    clearInterval(timer);
    offResize?.();
    offExit?.();
    offIntercept?.();
    model.finished = true;
    draw(); // the last lines above, and an empty live area
    output.out(SHOW_CURSOR);
  };

  const unlisten = listen(source, {
    pipelineStarted: (e) => {
      model.pipelineStarted(e);
      start();
      draw();
    },
    pipelineWarning: (e) => model.warning(e.message),
    stepResumed: (e) => model.stepResumed(e),
    stepStarted: (e) => model.stepStarted(e),
    stepRetrying: (e) => model.stepRetrying(e),
    stepProgress: (e) => model.stepProgress(e),
    stepLog: (e) => model.stepLog(e),
    stepSucceeded: (e) => model.stepSucceeded(e),
    stepFailed: (e) => model.stepFailed(e),
    stepSkipped: (e) => model.stepSkipped(e),
    stepCancelled: (e) => model.stepCancelled(e),
    stepRolledBack: (e) => model.stepRolledBack(e),
    stepRollbackFailed: (e) => model.stepRollbackFailed(e),
    hookError: (e) => model.warning(`a ${e.event} listener threw: ${e.error}`),
    pipelineFinished: finish,
  });

  return {
    notice(text) {
      if (!live) return output.err(text);
      area.clear(columns());
      output.err(text);
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      finish();
      unlisten();
    },
  };
}

function onProcessExit(listener: () => void): () => void {
  process.once("exit", listener);
  return () => void process.off("exit", listener);
}
