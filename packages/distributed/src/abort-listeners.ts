/**
 * One `abort` listener per signal, however many jobs wait on it: a map step's items share their
 * step's signal, and a listener per waiting job would trip Node's MaxListeners warning (and leak-check
 * tooling) for any map wider than 10.
 */
const callbacks = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `callback` once when `signal` aborts; the returned function stops listening. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let set = callbacks.get(signal);
  if (!set) {
    const created = new Set<() => void>();
    set = created;
    callbacks.set(signal, created);
    signal.addEventListener("abort", () => {
      callbacks.delete(signal);
      for (const fn of created) fn();
    }, { once: true });
  }
  set.add(callback);
  return () => set.delete(callback);
}
