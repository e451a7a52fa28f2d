/**
 * The lab's registry: every command a pipeline can name, for `pipewright run --registry` and the
 * pipelines of `process-and-analyze`. Each takes plain JSON args (snake_case, as in the original
 * tool's YAML) and returns plain JSON.
 */
export { stage_all_command } from "./registry/stage-all-command.js";
export { build_all_histories_command } from "./registry/build-histories-command.js";
