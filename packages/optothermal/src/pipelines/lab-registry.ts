import type { Registry } from "pipewright";
import * as commands from "../registry.js";

/** Every lab command by name, for the pipelines `process-and-analyze` runs. */
export const LAB_REGISTRY: Registry = commands;
