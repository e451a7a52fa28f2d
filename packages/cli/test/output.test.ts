import { describe, expect, it } from "vitest";
import { colorsFor, formatDuration } from "../src/output.js";

describe("formatDuration", () => {
  it.each([
    [0.35, "0.35s"],
    [12.44, "12.4s"],
    [59.96, "1m00s"],
    [119.6, "2m00s"],
    [185, "3m05s"],
  ])("%f s → %s", (seconds, text) => expect(formatDuration(seconds)).toBe(text));
});

describe("colorsFor", () => {
  it("colours a terminal, not a pipe; NO_COLOR turns it off, FORCE_COLOR on", () => {
    const red = (isTTY: boolean, env: NodeJS.ProcessEnv) => colorsFor(isTTY, env).red("x") !== "x";
    expect(red(true, {})).toBe(true);
    expect(red(false, {})).toBe(false);
    expect(red(true, { NO_COLOR: "1" })).toBe(false);
    expect(red(true, { NO_COLOR: "" })).toBe(true);
    expect(red(false, { FORCE_COLOR: "1" })).toBe(true);
    expect(red(true, { TERM: "dumb" })).toBe(false);
  });
});
