/** Told once when the signal it listens to aborts. An object, not a closure: a map step makes thousands. */
export interface AbortListener {
  aborted(): void;
}

/**
 * One `abort` listener per signal, however many jobs wait on it: a map step's items share their
 * step's signal, and a listener per waiting job would trip Node's MaxListeners warning (and leak-check
 * tooling) for any map wider than 10.
 */
const listeners = new WeakMap<AbortSignal, Set<AbortListener>>();

/** Calls `listener.aborted()` once when `signal` aborts, unless `offAbort` comes first. */
export function onAbort(signal: AbortSignal, listener: AbortListener): void {
  let set = listeners.get(signal);
  if (!set) {
    const created = new Set<AbortListener>();
    set = created;
    listeners.set(signal, created);
    signal.addEventListener("abort", () => {
      listeners.delete(signal);
      for (const each of created) each.aborted();
    }, { once: true });
  }
  set.add(listener);
}

/** Stops `listener` hearing `signal`. */
export function offAbort(signal: AbortSignal, listener: AbortListener): void {
  listeners.get(signal)?.delete(listener);
}
