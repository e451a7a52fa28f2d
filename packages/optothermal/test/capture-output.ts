import { colorsFor, type Output } from "@pipewright/cli";

/** An Output that keeps what a command writes, without colour. */
export function captureOutput(): Output & { outText(): string; errText(): string } {
  let out = "";
  let err = "";
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    colors: colorsFor(false, {}),
    outText: () => out,
    errText: () => err,
  };
}
