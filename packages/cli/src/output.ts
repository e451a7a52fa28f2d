import pc from "picocolors";

export type Colors = ReturnType<typeof pc.createColors>;

/** Where the CLI writes, and whether in colour. Tests pass their own. */
export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
  colors: Colors;
}

/** Colour on a terminal, unless NO_COLOR is set (non-empty, as no-color.org says); FORCE_COLOR forces it anywhere. */
export function colorsFor(isTTY: boolean, env: NodeJS.ProcessEnv): Colors {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0";
  const enabled = forced || (isTTY && !env.NO_COLOR && env.TERM !== "dumb");
  return pc.createColors(enabled);
}

export function processOutput(): Output {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    colors: colorsFor(Boolean(process.stdout.isTTY), process.env),
  };
}

/** Seconds as a short human duration: 0.35s, 12.4s, 3m05s. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)}s`;
  if (seconds < 59.95) return `${seconds.toFixed(1)}s`; // 59.96 would print as "60.0s"
  const total = Math.round(seconds);
  return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, "0")}s`;
}
