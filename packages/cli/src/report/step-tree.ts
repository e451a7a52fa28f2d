import type { StepRecord } from "pipewright";

/** A nested pipeline or a parallel group that steps sit in. */
export interface Container {
  /** Unique among containers: the kind and the qualified name. */
  id: string;
  kind: "pipeline" | "group";
  /** The name as written where it was defined (without the outer pipelines' prefix). */
  label: string;
}

/**
 * The nested pipelines and parallel groups a step sits in, outermost first. The record has the
 * step's qualified name (`outer/inner/step`: nested pipelines) and its `group`, which is either one of
 * those pipelines (`outer/inner`) or a parallel group, qualified by the pipeline it was defined in
 * (`outer/analyses`, or `analyses` at the top, holding the step or a nested pipeline that holds it).
 */
export function containersOf(step: Pick<StepRecord, "name" | "group">): Container[] {
  const parts = step.name.split("/");
  const pipelines = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("/"));
  const chain: Container[] = pipelines.map((p) => ({ id: `pipeline:${p}`, kind: "pipeline", label: p.slice(p.lastIndexOf("/") + 1) }));
  const group = step.group;
  if (group === undefined || pipelines.includes(group)) return chain;
  let parent = -1;
  pipelines.forEach((p, i) => {
    if (group.startsWith(`${p}/`)) parent = i;
  });
  const label = parent < 0 ? group : group.slice((pipelines[parent] as string).length + 1);
  chain.splice(parent + 1, 0, { id: `group:${group}`, kind: "group", label });
  return chain;
}

/** How many leading containers two chains share. */
export function sharedDepth(a: readonly Container[], b: readonly Container[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n]?.id === b[n]?.id) n++;
  return n;
}
