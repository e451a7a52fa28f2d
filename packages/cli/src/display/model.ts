import type { PipelineEvents } from "pipewright";

/** What the display knows about one step, kept up to date by events (never by the timer). */
export interface StepView {
  name: string;
  index: number;
  kind: "step" | "map";
  /** Parallel group or nested pipeline the step belongs to. */
  group: string | undefined;
  state: "pending" | "running" | "waiting-retry" | "done";
  attempt: number;
  maxAttempts: number;
  /** When the first attempt started (ms since the epoch). */
  startedAt: number;
  /** While waiting for a retry: when the next attempt is due, and why the last one failed. */
  retryAt: number;
  lastError: string;
  progress: Progress | undefined;
}

/** Progress reported by a step (`ctx.progress`, or a map step's items). */
export interface Progress {
  done: number;
  failed: number;
  total: number | undefined;
  /** The first report, the base of the rate (a resumed map step starts with items already done). */
  firstDone: number;
  firstAt: number;
  lastAt: number;
}

/** A line that goes above the live area, once, in the order things happened. */
export type Entry =
  | { type: "started"; event: PipelineEvents["pipelineStarted"] }
  | { type: "log"; step: string; message: string }
  | { type: "retry"; view: StepView; event: PipelineEvents["stepRetrying"] }
  | { type: "succeeded"; view: StepView; event: PipelineEvents["stepSucceeded"] }
  | { type: "failed"; view: StepView; event: PipelineEvents["stepFailed"] }
  | { type: "skipped"; event: PipelineEvents["stepSkipped"] }
  | { type: "cancelled"; event: PipelineEvents["stepCancelled"] }
  | { type: "resumed"; event: PipelineEvents["stepResumed"] }
  | { type: "rolled-back"; event: PipelineEvents["stepRolledBack"] }
  | { type: "rollback-failed"; event: PipelineEvents["stepRollbackFailed"] }
  | { type: "warning"; message: string }
  /** What a command wrote to stdout itself (console.log), whole lines. */
  | { type: "printed"; text: string }
  /** Successes beyond the lines a frame prints for them, counted (thousands of fast steps). */
  | { type: "more-succeeded"; count: number; last: string };

/**
 * Success lines printed per frame at most; the rest are counted in one line. Failures, skips, logs
 * and retries always get their lines. Keeps a frame cheap when thousands of fast steps end at once.
 */
export const SUCCESS_LINES_PER_FRAME = 25;

/**
 * The live display's model. Events only update it — O(1) each, no formatting — and the timer
 * draws from it, so a run of thousands of fast steps costs the display almost nothing.
 */
export class DisplayModel {
  steps: StepView[] = [];
  /** Running steps (waiting for a retry included), in the order they started. */
  readonly running = new Set<StepView>();
  /** Lines for above the live area, not yet drawn; the renderer takes them. */
  entries: Entry[] = [];
  done = 0;
  failed = 0;
  startedAt = 0;
  finished = false;
  #partial = "";
  #successLines = 0;
  #moreSucceeded = 0;
  #lastSucceeded = "";

  pipelineStarted(e: PipelineEvents["pipelineStarted"]): void {
    this.startedAt = e.time;
    this.steps = e.graph.map((node, index) => ({
      name: node.name,
      index,
      kind: node.kind,
      group: node.group,
      state: "pending",
      attempt: 0,
      maxAttempts: 1,
      startedAt: 0,
      retryAt: 0,
      lastError: "",
      progress: undefined,
    }));
    this.entries.push({ type: "started", event: e });
  }

  stepStarted(e: PipelineEvents["stepStarted"]): void {
    const view = this.#view(e.index);
    if (!view) return;
    if (view.state === "pending") view.startedAt = e.time;
    view.state = "running";
    view.attempt = e.attempt;
    view.maxAttempts = e.maxAttempts;
    this.running.add(view);
  }

  stepRetrying(e: PipelineEvents["stepRetrying"]): void {
    const view = this.#view(e.index);
    if (!view) return;
    view.state = "waiting-retry";
    view.retryAt = e.time + e.delaySeconds * 1000;
    view.lastError = e.error;
    this.entries.push({ type: "retry", view, event: e });
  }

  stepProgress(e: PipelineEvents["stepProgress"]): void {
    const view = this.#view(e.index);
    if (!view) return;
    const p = view.progress;
    if (p) {
      p.done = e.done;
      p.failed = e.failed ?? 0;
      p.total = e.total;
      p.lastAt = e.time;
    } else {
      view.progress = { done: e.done, failed: e.failed ?? 0, total: e.total, firstDone: e.done, firstAt: e.time, lastAt: e.time };
    }
  }

  stepLog(e: PipelineEvents["stepLog"]): void {
    this.entries.push({ type: "log", step: e.step, message: e.message });
  }

  stepSucceeded(e: PipelineEvents["stepSucceeded"]): void {
    const view = this.#end(e.index);
    if (!view) return;
    if (this.#successLines < SUCCESS_LINES_PER_FRAME || e.attempts > 1 || view.progress) {
      this.#successLines++;
      this.entries.push({ type: "succeeded", view, event: e });
    } else {
      this.#moreSucceeded++;
      this.#lastSucceeded = e.step;
    }
  }

  stepFailed(e: PipelineEvents["stepFailed"]): void {
    const view = this.#end(e.index);
    this.failed++;
    if (view) this.entries.push({ type: "failed", view, event: e });
  }

  stepSkipped(e: PipelineEvents["stepSkipped"]): void {
    this.#end(e.index);
    this.entries.push({ type: "skipped", event: e });
  }

  stepCancelled(e: PipelineEvents["stepCancelled"]): void {
    this.#end(e.index);
    this.entries.push({ type: "cancelled", event: e });
  }

  stepResumed(e: PipelineEvents["stepResumed"]): void {
    this.#end(e.index);
    this.entries.push({ type: "resumed", event: e });
  }

  stepRolledBack(e: PipelineEvents["stepRolledBack"]): void {
    this.entries.push({ type: "rolled-back", event: e });
  }

  stepRollbackFailed(e: PipelineEvents["stepRollbackFailed"]): void {
    this.entries.push({ type: "rollback-failed", event: e });
  }

  warning(message: string): void {
    this.entries.push({ type: "warning", message });
  }

  /** Text written to stdout by others: whole lines go in order with the events; a partial line waits. */
  printed(text: string): void {
    const end = text.lastIndexOf("\n");
    if (end < 0) {
      this.#partial += text;
      return;
    }
    this.entries.push({ type: "printed", text: this.#partial + text.slice(0, end) });
    this.#partial = text.slice(end + 1);
  }

  /** Hands over the entries not drawn yet (a partial printed line too: the live area must follow a whole line). */
  takeEntries(): Entry[] {
    if (this.#partial) this.printed("\n");
    if (this.#moreSucceeded > 0) this.entries.push({ type: "more-succeeded", count: this.#moreSucceeded, last: this.#lastSucceeded });
    this.#successLines = 0;
    this.#moreSucceeded = 0;
    const taken = this.entries;
    this.entries = [];
    return taken;
  }

  /** Steps that have not started (and are not done). */
  get waiting(): number {
    return this.steps.length - this.done - this.running.size;
  }

  #view(index: number): StepView | undefined {
    return this.steps[index];
  }

  #end(index: number): StepView | undefined {
    const view = this.#view(index);
    if (!view || view.state === "done") return view;
    view.state = "done";
    this.running.delete(view);
    this.done++;
    return view;
  }
}
