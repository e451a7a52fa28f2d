import { PermanentError } from "pipewright";

/** A problem the user can fix (no manifest, a bad option): the message says what to do; retrying will not help. */
export class HistoriesError extends PermanentError {
  override name = "HistoriesError";
}
