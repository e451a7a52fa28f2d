import type { StepRecord } from "pipewright";
import { containersOf, type Container } from "./step-tree.js";
import { longestPathLevels } from "../graph-levels.js";

export const NODE_WIDTH = 156;
export const NODE_HEIGHT = 46;
const GAP_X = 44;
const GAP_Y = 48;
const MARGIN = 24;
const BOX_PAD = 10;
const BOX_LABEL = 18;

export interface LayoutNode {
  /** The step's index in the record. */
  index: number;
  layer: number;
  x: number;
  y: number;
}

/** A nested pipeline or parallel group drawn as a box around its steps. */
export interface LayoutBox {
  container: Container;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: LayoutNode[];
  /** One per dependency: step indices, from the step waited for to the step that waits. */
  edges: Array<{ from: number; to: number }>;
  boxes: LayoutBox[];
}

type GraphStep = Pick<StepRecord, "name" | "dependsOn" | "group">;

/**
 * A layered left-to-right layout: a step's column is the longest path to it from a step that waits for
 * nothing, so every edge points right. A step sits at the mean height of what it waits for (record order
 * breaks ties, which keeps groups together), pushed apart from its neighbours: chains run straight.
 */
export function layoutGraph(steps: readonly GraphStep[]): GraphLayout {
  const byName = new Map(steps.map((step, i) => [step.name, i]));
  const edges = steps.flatMap((step, to) =>
    step.dependsOn.flatMap((name) => {
      const from = byName.get(name);
      return from === undefined ? [] : [{ from, to }];
    }),
  );
  const upstream = steps.map(() => [] as number[]);
  for (const { from, to } of edges) upstream[to]?.push(from);

  const layers = longestPathLevels(upstream);
  const columns: number[][] = [];
  layers.forEach((layer, i) => (columns[layer] ??= []).push(i));
  const nodes: LayoutNode[] = [];
  const pitch = NODE_HEIGHT + GAP_Y;
  columns.forEach((column, layer) => {
    // Columns are placed left to right, so what a step waits for already has its height.
    const wanted = (i: number, r: number) => {
      const ups = upstream[i] ?? [];
      return ups.length === 0 ? r * pitch : ups.reduce((sum, u) => sum + (nodes[u]?.y ?? 0), 0) / ups.length;
    };
    const order = column.map((i, r) => ({ i, want: wanted(i, r) })).sort((a, b) => a.want - b.want || a.i - b.i);
    const ys: number[] = [];
    order.forEach(({ want }, r) => ys.push(r === 0 ? want : Math.max(want, (ys[r - 1] as number) + pitch)));
    // Pushing apart moved steps down only: move the column back up so that it sits around where it wanted to be.
    const shift = order.reduce((sum, { want }, r) => sum + (ys[r] as number) - want, 0) / order.length;
    order.forEach(({ i }, r) => {
      nodes[i] = { index: i, layer, x: layer * (NODE_WIDTH + GAP_X), y: (ys[r] as number) - shift };
    });
  });
  return fitted(nodes, edges, containerBoxes(steps, nodes));
}

/** Moves everything so that the drawing starts at the margin, and measures it. */
function fitted(nodes: LayoutNode[], edges: GraphLayout["edges"], boxes: LayoutBox[]): GraphLayout {
  const rects = () => [...nodes.map((n) => ({ x: n.x, y: n.y, width: NODE_WIDTH, height: NODE_HEIGHT })), ...boxes];
  const dx = MARGIN - Math.min(0, ...rects().map((r) => r.x));
  const dy = MARGIN - Math.min(0, ...rects().map((r) => r.y));
  for (const rect of [...nodes, ...boxes]) {
    rect.x += dx;
    rect.y += dy;
  }
  return {
    width: Math.max(0, ...rects().map((r) => r.x + r.width)) + MARGIN,
    height: Math.max(0, ...rects().map((r) => r.y + r.height)) + MARGIN,
    nodes,
    edges,
    boxes,
  };
}

/** Each step's column: 0 for a step that waits for nothing, else one more than the furthest step it waits for. */
/**
 * Boxes around the steps of each container, outer ones padded more than inner ones. A box that would
 * take in a step from outside its container is left out: the layout does not keep every group apart.
 */
function containerBoxes(steps: readonly GraphStep[], nodes: readonly LayoutNode[]): LayoutBox[] {
  const members = new Map<string, { container: Container; indices: number[]; nesting: number }>();
  steps.forEach((step, i) => {
    const chain = containersOf(step);
    chain.forEach((container, depth) => {
      const entry = members.get(container.id) ?? { container, indices: [], nesting: 0 };
      entry.indices.push(i);
      entry.nesting = Math.max(entry.nesting, chain.length - depth);
      members.set(container.id, entry);
    });
  });
  const accepted: Array<LayoutBox & { set: Set<number> }> = [];
  for (const { container, indices, nesting } of members.values()) {
    const inside = indices.map((i) => nodes[i] as LayoutNode);
    const pad = BOX_PAD * nesting;
    const x = Math.min(...inside.map((n) => n.x)) - pad;
    const y = Math.min(...inside.map((n) => n.y)) - pad - BOX_LABEL * nesting;
    const width = Math.max(...inside.map((n) => n.x)) + NODE_WIDTH + pad - x;
    const height = Math.max(...inside.map((n) => n.y)) + NODE_HEIGHT + pad - y;
    const set = new Set(indices);
    const box = { container, x, y, width, height, set };
    const intrudes =
      nodes.some((n) => !set.has(n.index) && overlap(box, { x: n.x, y: n.y, width: NODE_WIDTH, height: NODE_HEIGHT })) ||
      // Nested boxes (one's steps all in the other) may overlap; others may not.
      accepted.some((other) => overlap(box, other) && !subset(box.set, other.set) && !subset(other.set, box.set));
    if (!intrudes) accepted.push(box);
  }
  return accepted.map(({ container, x, y, width, height }) => ({ container, x, y, width, height }));
}

type Rect = Pick<LayoutBox, "x" | "y" | "width" | "height">;

function overlap(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function subset(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const i of a) if (!b.has(i)) return false;
  return true;
}
