import { ValidationError, type ValidationIssue } from "./errors.js";
import { referencedSteps } from "./expressions/expression.js";
import { templateStepReferences } from "./expressions/template.js";
import { canonicalJson, stepFingerprint } from "./fingerprint.js";
import type { StepDefinition } from "./step-definition.js";
import { closestMatch } from "./yaml/closest-match.js";

/**
 * The steps as a dependency graph, checked: every dependency exists, there is no cycle, and every
 * step whose expressions read another step's status or output depends on it.
 */
export interface ExecutionGraph {
  /** In the order they were added (a topological order is not implied). */
  readonly steps: readonly StepDefinition[];
  /** `upstream[i]`: indexes of the steps step i waits for. */
  readonly upstream: readonly (readonly number[])[];
  /** `downstream[i]`: indexes of the steps that wait for step i. */
  readonly downstream: readonly (readonly number[])[];
  /** Identifies each step's work and that of everything upstream of it (what resume compares). */
  readonly fingerprints: readonly string[];
  readonly indexOf: ReadonlyMap<string, number>;
}

/**
 * Builds and checks the graph. `aliases` maps names that stand for several steps (parallel groups,
 * nested pipelines) to those steps' names. Throws a `ValidationError` listing every problem.
 */
export function buildGraph(steps: readonly StepDefinition[], aliases: ReadonlyMap<string, readonly string[]>): ExecutionGraph {
  const indexOf = new Map(steps.map((step, i) => [step.name, i]));
  const issues: ValidationIssue[] = [];
  const upstream = steps.map((step) => {
    const deps = new Set<number>();
    for (const name of step.dependsOn) {
      const names = aliases.get(name) ?? [name];
      for (const member of names) {
        const index = indexOf.get(member);
        if (index !== undefined) deps.add(index);
        else issues.push({ message: unknownStep(`Step "${step.name}" depends on`, member, [...indexOf.keys(), ...aliases.keys()]), location: step.location });
      }
    }
    return [...deps];
  });
  const downstream = invert(upstream);

  const order = topologicalOrder(upstream, downstream);
  if (order.length < steps.length) issues.push(...cycleIssues(steps, upstream, new Set(order)));
  if (issues.length > 0) throw new ValidationError(issues);

  const fingerprints: string[] = new Array<string>(steps.length);
  for (const i of order) {
    const step = steps[i] as StepDefinition;
    const work = step.map ? { args: step.options.args, map: mapIdentity(step) } : step.options.args;
    fingerprints[i] = stepFingerprint(step.commandName, step.command, work, upstreamFingerprints(upstream[i] ?? [], fingerprints));
  }
  const graph = { steps, upstream, downstream, fingerprints, indexOf };
  const referenceIssues = expressionReferenceIssues(graph);
  if (referenceIssues.length > 0) throw new ValidationError(referenceIssues);
  return graph;
}

/**
 * `downstream` from `upstream`, every list allocated at its exact size: growing them with `push` would
 * reserve room for 17 entries each, which for 100,000 steps is 15 MB of nothing.
 */
function invert(upstream: readonly (readonly number[])[]): number[][] {
  const counts = new Array<number>(upstream.length).fill(0);
  for (const deps of upstream) for (const d of deps) counts[d] = (counts[d] as number) + 1;
  const downstream = counts.map((count) => new Array<number>(count));
  const filled = new Array<number>(upstream.length).fill(0);
  upstream.forEach((deps, i) => {
    for (const d of deps) {
      (downstream[d] as number[])[filled[d] as number] = i;
      filled[d] = (filled[d] as number) + 1;
    }
  });
  return downstream;
}

function upstreamFingerprints(deps: readonly number[], fingerprints: readonly string[]): string[] {
  return deps.map((d) => fingerprints[d] as string);
}

/** What of a map step's fan-out changes its work: where the items come from and which arg gets them. */
function mapIdentity(step: StepDefinition) {
  const items = step.map?.items;
  return { items: typeof items === "function" ? "function" : canonicalJson(items ?? null), itemArg: step.map?.itemArg ?? "item" };
}

/** Kahn's algorithm; the nodes on or behind a cycle are missing from the result. */
function topologicalOrder(upstream: readonly (readonly number[])[], downstream: readonly (readonly number[])[]): number[] {
  const waiting = upstream.map((deps) => deps.length);
  const order: number[] = [];
  waiting.forEach((count, i) => count === 0 && order.push(i));
  for (let head = 0; head < order.length; head++) {
    for (const next of downstream[order[head] as number] ?? []) {
      waiting[next] = (waiting[next] as number) - 1;
      if (waiting[next] === 0) order.push(next);
    }
  }
  return order;
}

/** One issue per cycle, naming every step on it in order. */
function cycleIssues(steps: readonly StepDefinition[], upstream: readonly (readonly number[])[], ordered: ReadonlySet<number>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const reported = new Set<number>();
  for (let start = 0; start < steps.length; start++) {
    if (ordered.has(start) || reported.has(start)) continue;
    const cycle = findCycle(start, upstream, ordered);
    if (!cycle || cycle.some((i) => reported.has(i))) continue;
    cycle.forEach((i) => reported.add(i));
    // Listed in the order things would run (each waits for the one before it), from the step added first.
    const order = [...cycle].reverse();
    const first = order.indexOf(Math.min(...order));
    const names = [...order.slice(first), ...order.slice(0, first)].map((i) => `"${steps[i]?.name}"`);
    const message =
      cycle.length === 1
        ? `Step ${names[0]} depends on itself`
        : `Steps ${names.join(" → ")} → ${names[0]} form a cycle: each waits for the one before it`;
    issues.push({ message, location: steps[Math.min(...cycle)]?.location });
  }
  return issues;
}

/** A cycle through the unordered nodes reachable upstream from `start`, found by following dependencies. */
function findCycle(start: number, upstream: readonly (readonly number[])[], ordered: ReadonlySet<number>): number[] | undefined {
  const path: number[] = [];
  const onPath = new Map<number, number>();
  const done = new Set<number>();
  const stack: Array<{ node: number; next: number }> = [{ node: start, next: 0 }];
  onPath.set(start, 0);
  path.push(start);
  while (stack.length > 0) {
    const frame = stack.at(-1) as { node: number; next: number };
    const deps = upstream[frame.node] ?? [];
    if (frame.next >= deps.length) {
      stack.pop();
      path.pop();
      onPath.delete(frame.node);
      done.add(frame.node);
      continue;
    }
    const dep = deps[frame.next++] as number;
    if (ordered.has(dep) || done.has(dep)) continue;
    const at = onPath.get(dep);
    if (at !== undefined) return path.slice(at);
    onPath.set(dep, path.length);
    path.push(dep);
    stack.push({ node: dep, next: 0 });
  }
  return undefined;
}

/** Expressions may read only steps that exist and that the step waits for (else the value may not be there yet). */
function expressionReferenceIssues(graph: ExecutionGraph): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  graph.steps.forEach((step, i) => {
    const read = new Set(templateStepReferences(step.args));
    if (step.condition && "expression" in step.condition) referencedSteps(step.condition.expression).forEach((n) => read.add(n));
    if (step.map?.itemsTemplate) templateStepReferences(step.map.itemsTemplate).forEach((n) => read.add(n));
    for (const name of read) {
      const target = graph.indexOf.get(step.namespace + name);
      if (target === undefined) {
        const known = [...graph.indexOf.keys()].filter((n) => n.startsWith(step.namespace)).map((n) => n.slice(step.namespace.length));
        issues.push({ message: unknownStep(`Step "${step.name}" reads`, name, known), location: step.location });
      } else if (!isUpstream(graph, target, i)) {
        issues.push({
          message: `Step "${step.name}" reads step "${name}" but does not wait for it: add "${name}" to its depends_on`,
          location: step.location,
        });
      }
    }
  });
  return issues;
}

/** Whether `target` is among the steps `step` waits for, directly or not. */
function isUpstream(graph: ExecutionGraph, target: number, step: number): boolean {
  const seen = new Set<number>([step]);
  const queue = [step];
  for (let head = 0; head < queue.length; head++) {
    for (const dep of graph.upstream[queue[head] as number] ?? []) {
      if (dep === target) return true;
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  return false;
}

function unknownStep(what: string, name: string, known: Iterable<string>): string {
  const hint = closestMatch(name, known);
  return `${what} "${name}", which is not a step of this pipeline${hint ? ` (did you mean "${hint}"?)` : ""}`;
}
