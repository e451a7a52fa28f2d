export { main } from "./main.js";
export { ExitCode } from "./exit-codes.js";
export { attachPlainRenderer } from "./plain-renderer.js";
export { formatSummary } from "./summary.js";
export { loadRegistry } from "./load-registry.js";
