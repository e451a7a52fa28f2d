import type { Listener, Pipeline, PipelineEventName, PipelineEvents } from "pipewright";

/** What a renderer listens to: a `Pipeline`, or in tests anything with the same `on`. */
export type EventSource = Pick<Pipeline, "on">;

/** A handler per event, each typed for its own event. */
export type Handlers = { [E in PipelineEventName]?: (e: PipelineEvents[E]) => void };

/** Subscribes every handler; returns a function that removes them all. */
export function listen(source: EventSource, handlers: Handlers): () => void {
  const offs = Object.entries(handlers).map(([event, handler]) =>
    // Each handler is typed for its own event above; Object.entries loses that pairing.
    source.on(event as PipelineEventName, handler as unknown as Listener<PipelineEventName>),
  );
  return () => offs.forEach((off) => off());
}
