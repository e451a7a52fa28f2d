export { main } from "./main.js";
export { ExitCode } from "./exit-codes.js";
export { attachPlainRenderer } from "./plain-renderer.js";
export { formatSummary } from "./summary.js";
export { loadRegistry } from "./load-registry.js";
// For applications that build their own command on the same output, tables and option parsers.
export { processOutput, colorsFor, type Output, type Colors } from "./output.js";
export { formatTable, type Column, type Cell } from "./table.js";
export { wholeNumber } from "./number-options.js";
export { collectParam } from "./params.js";
export { runWithDisplay } from "./run-with-display.js";
export type { DisplayOptions } from "./renderer.js";
export { runProgram, type ProgramDefinition } from "./program.js";
export type { CommandContext, RegisterCommand } from "./command-context.js";
