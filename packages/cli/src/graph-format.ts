import type { ExecutionGraph } from "pipewright";
import { longestPathLevels } from "./graph-levels.js";

/** The graph formats `pipewright graph` writes. */
export const GRAPH_FORMATS = ["text", "mermaid", "dot"] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/**
 * Readable in a terminal: the steps by level (steps of one level may run side by side), each with its
 * group, whether it is a map step, and what it waits for.
 */
export function graphAsText(name: string, graph: ExecutionGraph): string {
  const level = longestPathLevels(graph.upstream).map((l) => l + 1); // shown from 1
  const depth = Math.max(0, ...level);
  const width = Math.max(4, ...graph.steps.map((step) => step.name.length + (step.map ? 6 : 0)));
  const lines = [`${name}: ${graph.steps.length} step${graph.steps.length === 1 ? "" : "s"} in ${depth} level${depth === 1 ? "" : "s"} (a level's steps can run side by side)`];
  for (let l = 1; l <= depth; l++) {
    graph.steps.forEach((step, i) => {
      if (level[i] !== l) return;
      const label = `${step.name}${step.map ? " [map]" : ""}`.padEnd(width);
      const deps = (graph.upstream[i] ?? []).map((d) => graph.steps[d]?.name);
      const first = lines.length === 1 || !lines.at(-1)?.startsWith(`${String(l).padStart(3)} `) ? String(l).padStart(3) : "   ";
      const group = step.group ? `  (${step.group})` : "";
      const condition = step.condition ? `  if: ${"text" in step.condition ? step.condition.text : "a function"}` : "";
      lines.push(`${first}  ${label}${deps.length > 0 ? `  ← ${deps.join(", ")}` : ""}${group}${condition}`.trimEnd());
    });
  }
  return `${lines.join("\n")}\n`;
}

/** A Mermaid flowchart (paste into Markdown on GitHub, or mermaid.live). Groups become subgraphs. */
export function graphAsMermaid(graph: ExecutionGraph): string {
  const id = (i: number) => `s${i}`;
  const label = (text: string) => `"${text.replaceAll('"', "#quot;")}"`;
  const node = (i: number) => {
    const step = graph.steps[i];
    if (!step) return "";
    return step.map ? `${id(i)}[[${label(`${step.name} (map)`)}]]` : `${id(i)}[${label(step.name)}]`;
  };
  const lines = ["flowchart TD"];
  for (const [group, members] of byGroup(graph)) {
    if (group === undefined) members.forEach((i) => lines.push(`  ${node(i)}`));
    else lines.push(`  subgraph ${id(members[0] as number)}_group[${label(group)}]`, ...members.map((i) => `    ${node(i)}`), "  end");
  }
  graph.upstream.forEach((deps, i) => deps.forEach((d) => lines.push(`  ${id(d)} --> ${id(i)}`)));
  return `${lines.join("\n")}\n`;
}

/** Graphviz DOT (`dot -Tsvg`). Groups become clusters. */
export function graphAsDot(name: string, graph: ExecutionGraph): string {
  const quote = (text: string) => `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
  const node = (i: number) => {
    const step = graph.steps[i];
    return step ? `${quote(step.name)}${step.map ? " [shape=box3d]" : ""};` : "";
  };
  const lines = [`digraph ${quote(name)} {`, "  rankdir=TB;", '  node [shape=box, style=rounded, fontname="Helvetica"];'];
  let cluster = 0;
  for (const [group, members] of byGroup(graph)) {
    if (group === undefined) members.forEach((i) => lines.push(`  ${node(i)}`));
    else lines.push(`  subgraph cluster_${cluster++} {`, `    label=${quote(group)};`, ...members.map((i) => `    ${node(i)}`), "  }");
  }
  graph.upstream.forEach((deps, i) =>
    deps.forEach((d) => lines.push(`  ${quote(graph.steps[d]?.name ?? "")} -> ${quote(graph.steps[i]?.name ?? "")};`)),
  );
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** Step indexes by group (parallel group or nested pipeline), in order; undefined: no group. */
function byGroup(graph: ExecutionGraph): Map<string | undefined, number[]> {
  const groups = new Map<string | undefined, number[]>();
  graph.steps.forEach((step, i) => {
    const members = groups.get(step.group) ?? [];
    members.push(i);
    groups.set(step.group, members);
  });
  return groups;
}
