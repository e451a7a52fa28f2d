/**
 * Synchronous commands never give the event loop a turn on their own: without one now and then,
 * timers and signal handlers (Ctrl-C) would wait for the whole run. Measured in real time, not with
 * the injected clock.
 */
export class EventLoopTurns {
  static readonly EVERY_MS = 20;
  #last = performance.now();

  /** True when the event loop has not had a turn for a while. */
  due(): boolean {
    return performance.now() - this.#last > EventLoopTurns.EVERY_MS;
  }

  /** Call when the event loop has just had its turn. */
  taken(): void {
    this.#last = performance.now();
  }
}
