/**
 * The lab's registry: every command a pipeline can name, for `pipewright run --registry` and the
 * pipelines of `process-and-analyze`. Each takes plain JSON args (snake_case, as in the original
 * tool's YAML) and returns plain JSON.
 */
export { stage_all_command } from "./registry/stage-all-command.js";
export { build_all_histories_command } from "./registry/build-histories-command.js";
export { derive_all_metrics_command } from "./registry/derive-metrics-command.js";
export { plot_chip_command, plot_all_chips_command } from "./registry/plot-commands.js";
export { undo_command } from "./registry/undo-command.js";
export { export_history_csv_command } from "./registry/export-history-command.js";
