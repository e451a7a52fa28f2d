// One implementation for the engine (its run lock, resume of a running execution) and the CLI (history, show, clean).
export { processLiveness, type Liveness } from "pipewright";
