import type { ExecutionRecord, StepRecord } from "pipewright";
import { escapeHtml } from "./escape.js";
import { formatSeconds, plural, truncate } from "./format.js";
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH, type GraphLayout } from "./graph-layout.js";
import { displayStatus } from "./status.js";

/** Steps drawn at most: beyond this a drawing of the graph is no longer something to read. */
export const MAX_GRAPH_NODES = 400;
const NAME_CHARS = 20;
const SMALLEST_SCALE = 0.65;

const SYMBOL: Record<ReturnType<typeof displayStatus>, string> = {
  pending: "·",
  running: "…",
  success: "✓",
  restored: "↺",
  failed: "✗",
  skipped: "⊘",
  cancelled: "■",
  rolled_back: "↶",
};

/** The dependency graph as inline SVG: a node per step coloured by status, a curve per dependency, boxes for groups. */
export function renderGraph(record: ExecutionRecord): string {
  if (record.steps.length > MAX_GRAPH_NODES) {
    return `<p class="note">The graph has ${plural(record.steps.length, "step")}: more than the ${MAX_GRAPH_NODES} this report draws.</p>`;
  }
  const layout = layoutGraph(record.steps);
  return `<div class="graph"><svg xmlns="http://www.w3.org/2000/svg" style="${fit(layout)}" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label="Step dependencies">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 1 L9 5 L0 9 z" class="arrow"/></marker><clipPath id="node-shape"><rect width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="9"/></clipPath></defs>
${boxes(layout)}
${edges(layout, record.steps)}
${layout.nodes.map((node) => nodeSvg(record.steps[node.index] as StepRecord, node.x, node.y)).join("\n")}
</svg></div>`;
}

/** Shrinks a wide graph to the page, down to a size still read with ease; wider ones scroll. */
function fit(layout: GraphLayout): string {
  return `width:100%;height:auto;max-width:${layout.width}px;min-width:${Math.round(layout.width * SMALLEST_SCALE)}px`;
}

function boxes(layout: GraphLayout): string {
  return layout.boxes
    .map(({ container, x, y, width, height }) => {
      const kind = container.kind === "group" ? "parallel" : "pipeline";
      return `<g class="box k-${kind}"><rect x="${x}" y="${y}" width="${width}" height="${height}" rx="12"/><text x="${x + 12}" y="${y + 15}">${kind} · ${escapeHtml(truncate(container.label, 40))}</text></g>`;
    })
    .join("\n");
}

function edges(layout: GraphLayout, steps: readonly StepRecord[]): string {
  return layout.edges
    .map(({ from, to }) => {
      const a = layout.nodes[from];
      const b = layout.nodes[to];
      if (!a || !b) return "";
      const x1 = a.x + NODE_WIDTH;
      const y1 = a.y + NODE_HEIGHT / 2;
      const x2 = b.x - 2;
      const y2 = b.y + NODE_HEIGHT / 2;
      const bend = Math.max(24, (x2 - x1) / 2);
      const title = `${steps[from]?.name ?? ""} → ${steps[to]?.name ?? ""}`;
      return `<path class="edge" d="M${x1} ${y1} C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}" marker-end="url(#arrow)"><title>${escapeHtml(title)}</title></path>`;
    })
    .join("\n");
}

/** How long it ran, with its attempts when retried, or its items for a map step. */
function ranDetail(step: StepRecord): string {
  const parts = [formatSeconds(step.elapsedTime)];
  if (step.attempts > 1) parts.push(`${step.attempts} attempts`);
  if (step.items) parts.push(`${step.items.filter((item) => item?.status === "success").length}/${step.items.length} items`);
  return parts.join(" · ");
}

function nodeSvg(step: StepRecord, x: number, y: number): string {
  const status = displayStatus(step);
  const name = step.name.slice(step.name.lastIndexOf("/") + 1);
  const detail = status === "restored" || step.startedAt === undefined ? status.replace("_", " ") : ranDetail(step);
  const title = [step.name, `${status.replace("_", " ")}${step.startedAt !== undefined ? `, ${formatSeconds(step.elapsedTime)}` : ""}`];
  if (step.error !== undefined) title.push(truncate(step.error, 600));
  return `<g class="node st-${status}" data-step="${escapeHtml(step.name)}" transform="translate(${x} ${y})"><title>${escapeHtml(title.join("\n"))}</title><rect width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="9"/><rect class="stripe" width="5" height="${NODE_HEIGHT}" clip-path="url(#node-shape)"/><text class="name" x="16" y="19">${escapeHtml(truncate(name, NAME_CHARS))}</text><text class="detail" x="16" y="35">${SYMBOL[status]} ${escapeHtml(detail)}</text></g>`;
}
