export {
  Pipeline,
  DEFAULT_CHECKPOINT_DIR,
  type PipelineOptions,
  type FromYamlOptions,
  type MapStepDefinition,
  type ParallelMember,
  type GroupOptions,
} from "./pipeline.js";
export type { ExecuteOptions } from "./execute-options.js";
export type { PipelineResult, StepResult, AttemptError } from "./result.js";
export type { StepOptions, StepCondition, Rollback, RollbackContext } from "./step-options.js";
export type { StepDefinition } from "./step-definition.js";
export {
  specCommandNames,
  type PipelineSpec,
  type ExecutorSpec,
  type StepSpec,
  type CommandStepSpec,
  type ParallelGroupSpec,
  type SubpipelineSpec,
  type MapSpec,
} from "./pipeline-spec.js";
export type { MapStepOptions, MapItems } from "./map-options.js";
export type { MapOutput } from "./map-runner.js";
export type { ExecutionGraph } from "./graph.js";
export type { ExecutionPlan, StepPlan } from "./plan.js";
export { TimeoutError } from "./attempts.js";
export { StepStatus, ExecutionStatus, type Json, type Command, type Registry, type StepContext } from "./types.js";
export {
  PipewrightError,
  PermanentError,
  ValidationError,
  CheckpointError,
  CorruptCheckpointError,
  ConcurrentRunError,
  StepFailedError,
  formatIssue,
  type ValidationIssue,
  type SourceLocation,
  type ConcurrentRunDetails,
  type RunHolder,
} from "./errors.js";
export type { PipelineEvents, PipelineEventName, Listener } from "./events.js";
export type { Executor, StepTask } from "./executor.js";
export { localExecutor } from "./executor.js";
export type { Clock } from "./clock.js";
export { systemClock } from "./clock.js";
export { CheckpointStore, type ExecutionSummary } from "./checkpoint/checkpoint-store.js";
export type { ExecutionRecord, StepRecord, ItemRecord } from "./checkpoint/execution-record.js";
export type { FileSystem } from "./checkpoint/file-system.js";
export { processLiveness, type Liveness } from "./checkpoint/process-liveness.js";
export { lockPathFor, LOCK_HEARTBEAT_MS, FOREIGN_LOCK_STALE_MS } from "./checkpoint/run-lock.js";
export { builtinCommands, registryNames } from "./registry.js";
export { execCommand, type ExecArgs } from "./commands/exec.js";
export { loadPipelineYaml, parsePipelineYaml, type LoadOptions } from "./yaml/load-pipeline-yaml.js";
export { pipelineSpecToYaml } from "./yaml/write-pipeline-yaml.js";
export { retryDelaySeconds } from "./retry-policy.js";
export { shellQuote } from "./shell-quote.js";
