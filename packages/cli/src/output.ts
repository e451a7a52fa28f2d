import pc from "picocolors";

export type Colors = ReturnType<typeof pc.createColors>;

/** Where the CLI writes, and whether in colour. Tests pass their own. */
export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
  colors: Colors;
  /** What `out` writes to, when that is known; without it the CLI assumes a file or a pipe (no live display). */
  terminal?: Terminal;
}

/** The terminal behind `out`: what the live display needs to draw in place. */
export interface Terminal {
  readonly isTTY: boolean;
  /** Width in columns, read when needed (it changes on resize); undefined or 0 when unknown. */
  readonly columns: number | undefined;
  /** Height in rows; undefined or 0 when unknown. */
  readonly rows: number | undefined;
  /** Calls `listener` after every resize (SIGWINCH); returns a function that stops it. */
  onResize(listener: () => void): () => void;
  /**
   * Hands what others write to the process's stdout and stderr (a command's console.log, a Node
   * warning) to `onWrite` instead, until the returned function is called: a live display prints it
   * above itself rather than have it land in the middle of the lines it redraws.
   */
  interceptWrites?(onWrite: (text: string, stream: "out" | "err") => void): () => void;
}

/** Colour on a terminal, unless NO_COLOR is set (non-empty, as no-color.org says); FORCE_COLOR forces it anywhere. */
export function colorsFor(isTTY: boolean, env: NodeJS.ProcessEnv): Colors {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0";
  const enabled = forced || (isTTY && !env.NO_COLOR && env.TERM !== "dumb");
  return pc.createColors(enabled);
}

export function processOutput(): Output {
  // The CLI's own writes go straight to the streams, past `interceptWrites`.
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  return {
    out: (text) => void out(text),
    err: (text) => void err(text),
    colors: colorsFor(Boolean(process.stdout.isTTY), process.env),
    terminal: streamTerminal(process.stdout, interceptProcessWrites),
  };
}

/** Replaces `process.stdout.write` and `process.stderr.write` until the returned function restores them. */
function interceptProcessWrites(onWrite: (text: string, stream: "out" | "err") => void): () => void {
  const restore = [interceptStream(process.stdout, "out", onWrite), interceptStream(process.stderr, "err", onWrite)];
  return () => restore.forEach((undo) => undo());
}

function interceptStream(stream: NodeJS.WriteStream, name: "out" | "err", onWrite: (text: string, stream: "out" | "err") => void): () => void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back on its own stream below
  const original = stream.write;
  stream.write = (chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void) => {
    onWrite(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString(typeof encoding === "string" ? encoding : "utf8"), name);
    const done = typeof encoding === "function" ? encoding : callback;
    if (done) queueMicrotask(() => done());
    return true;
  };
  return () => {
    stream.write = original;
  };
}

/** A `Terminal` read live from a stream: `columns` and `rows` follow resizes (Node updates them on SIGWINCH). */
export function streamTerminal(stream: NodeJS.WriteStream, interceptWrites?: Terminal["interceptWrites"]): Terminal {
  return {
    isTTY: Boolean(stream.isTTY),
    interceptWrites,
    get columns() {
      return stream.columns;
    },
    get rows() {
      return stream.rows;
    },
    onResize(listener) {
      stream.on("resize", listener);
      return () => void stream.off("resize", listener);
    },
  };
}

/** Seconds as a short human duration: 0.35s, 12.4s, 3m05s. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)}s`;
  if (seconds < 59.95) return `${seconds.toFixed(1)}s`; // 59.96 would print as "60.0s"
  const total = Math.round(seconds);
  return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, "0")}s`;
}
