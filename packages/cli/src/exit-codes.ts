/** The `pipewright` command's exit codes. */
export const ExitCode = {
  SUCCESS: 0,
  PIPELINE_FAILED: 1,
  INVALID_INPUT: 2,
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
