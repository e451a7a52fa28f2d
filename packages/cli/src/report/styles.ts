/** The report's stylesheet, inlined into the page: a light, quiet design in the system's own fonts. */
export const STYLES = `
:root {
  --bg: #f5f6fa; --card: #fff; --line: #e4e7ee; --text: #0f172a; --muted: #64748b;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  --group: #0369a1; --group-t: #e0f2fe; --pipe: #4f46e5; --pipe-t: #e0e7ff;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 28px 28px 48px; }
code, pre { font-family: var(--mono); font-size: 12.5px; }
h2 { font-size: 16px; margin: 0 0 14px; letter-spacing: -0.01em; }
h3 { font-size: 14px; margin: 0 0 8px; }
.muted { color: var(--muted); font-weight: 400; }
.note { color: var(--muted); font-size: 13px; margin: 10px 2px 0; }
.note.cap { margin: 0 2px 10px; }

.st-success { --c: #15803d; --t: #dcfce7; }  .st-failed { --c: #dc2626; --t: #fee2e2; }
.st-skipped { --c: #64748b; --t: #f1f5f9; }  .st-cancelled { --c: #c2410c; --t: #ffedd5; }
.st-rolled_back { --c: #7c3aed; --t: #ede9fe; }  .st-restored { --c: #0d9488; --t: #ccfbf1; }
.st-pending { --c: #94a3b8; --t: #f8fafc; }  .st-running { --c: #2563eb; --t: #dbeafe; }

.pill { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 600;
  color: var(--c); background: var(--t); white-space: nowrap; }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--c); margin-right: 8px; vertical-align: 1px; }
.chip { background: #f1f5f9; border: 1px solid var(--line); border-radius: 6px; padding: 1px 7px; margin: 2px 4px 2px 0; display: inline-block; }

.hero { display: flex; justify-content: space-between; align-items: center; gap: 24px; background: var(--card);
  border: 1px solid var(--line); border-top: 5px solid var(--c); border-radius: 14px; padding: 20px 26px; }
.eyebrow { text-transform: uppercase; letter-spacing: 0.08em; font-size: 11px; font-weight: 700; color: var(--muted); }
.hero h1 { margin: 2px 0 0; font-size: 28px; letter-spacing: -0.02em; }
.desc { margin: 4px 0 0; color: var(--muted); }
.verdict .pill { font-size: 16px; padding: 6px 18px; }

.facts { display: flex; flex-wrap: wrap; gap: 12px 44px; margin: 16px 0;
  background: var(--card); border: 1px solid var(--line); border-radius: 14px; padding: 16px 26px; }
.facts dt { font-size: 11px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); font-weight: 600; }
.facts dd { margin: 2px 0 0; overflow-wrap: anywhere; }
.facts .wide { flex-basis: 100%; }

.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 22px; }
.tile { flex: 1 1 110px; background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 12px 16px; }
.tile b { display: block; font-size: 24px; color: var(--c, var(--text)); font-variant-numeric: tabular-nums; }
.tile span { font-size: 12px; color: var(--muted); }
.tile.zero b { color: #cbd5e1; }

section { background: var(--card); border: 1px solid var(--line); border-radius: 14px; padding: 20px 24px; margin-bottom: 22px; }
.section-head { display: flex; justify-content: space-between; align-items: baseline; gap: 16px; flex-wrap: wrap; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 12px; color: var(--muted); margin-bottom: 12px; }
.legend i { display: inline-block; width: 16px; height: 10px; border-radius: 3px; margin-right: 5px; vertical-align: -1px; }
.hint { font-size: 12px; color: var(--muted); margin: 0 0 10px; }

.timeline { border: 1px solid var(--line); border-radius: 10px; max-height: 72vh; overflow-y: auto; overflow-x: hidden; }
.tl-head, .tl-row { display: grid; grid-template-columns: 270px minmax(0, 1fr); }
.tl-head { position: sticky; top: 0; z-index: 2; background: #fbfcfe; border-bottom: 1px solid var(--line); height: 30px; }
.tl-corner { padding: 6px 14px; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); border-right: 1px solid var(--line); }
.tl-axis, .tl-track { position: relative; margin: 0 28px 0 16px; }
.tick { position: absolute; top: 7px; transform: translateX(-50%); font-size: 11px; color: var(--muted); white-space: nowrap; font-variant-numeric: tabular-nums; }
.tl-row { border-bottom: 1px solid #f1f3f7; }
.tl-row:hover { background: #f8fafc; }
.tl-name { padding: 0 12px 0 calc(14px + var(--depth) * 18px); line-height: 27px; font-size: 13px; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; border-right: 1px solid var(--line); }
.tl-track { height: 27px; overflow: hidden;
  background-image: linear-gradient(to right, #edf0f5 1px, transparent 1px); background-size: var(--tick) 100%; }
.tl-container { background: #fafbfd; }
.tl-container .tl-name { font-weight: 600; }
.kind { font-size: 10px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em; padding: 1px 6px; border-radius: 4px; margin-right: 8px; vertical-align: 1px; }
.k-parallel .kind { color: var(--group); background: var(--group-t); }
.k-pipeline .kind { color: var(--pipe); background: var(--pipe-t); }
.tl-bracket { position: absolute; top: 11px; height: 5px; border-radius: 3px; opacity: 0.45; }
.k-parallel .tl-bracket { background: var(--group); }  .k-pipeline .tl-bracket { background: var(--pipe); }
.seg { position: absolute; top: 6px; height: 15px; min-width: 3px; border-radius: 4px; box-shadow: inset -2px 0 0 rgba(255, 255, 255, 0.85); }
.o-success { background: #22c55e; }  .o-retried { background: #f59e0b; }  .o-failed { background: #ef4444; }
.o-skipped { background: repeating-linear-gradient(135deg, #f87171 0 4px, #fecaca 4px 8px); }
.o-cancelled { background: repeating-linear-gradient(135deg, #fb923c 0 4px, #fed7aa 4px 8px); }
.o-rolled_back { background: #a78bfa; }  .o-running { background: repeating-linear-gradient(90deg, #60a5fa 0 6px, #93c5fd 6px 12px); }
.tl-label { position: absolute; top: 5px; font-size: 11.5px; color: var(--muted); white-space: nowrap; font-variant-numeric: tabular-nums; }
.tl-label.inside { color: #fff; font-weight: 600; text-shadow: 0 0 2px rgba(0, 0, 0, 0.35); }
.tl-note { position: absolute; left: 0; top: 5px; font-size: 11.5px; line-height: 17px; padding: 0 9px; border-radius: 999px;
  color: var(--c); background: var(--t); white-space: nowrap; }
.st-pending.tl-note { border: 1px dashed #cbd5e1; }

.graph { overflow: auto; max-height: 80vh; border: 1px solid var(--line); border-radius: 10px;
  background: #fbfcfe radial-gradient(#e6e9f0 1px, transparent 1px) 0 0 / 18px 18px; }
.graph svg { display: block; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.node > rect { fill: #fff; stroke: var(--c); stroke-width: 1.5; }
.node.st-failed > rect { fill: #fff5f5; }  .node.st-pending > rect { stroke-dasharray: 4 3; fill: #fbfcfe; }
.node .stripe { fill: var(--c); stroke: none; }
.node .name { font-size: 13px; font-weight: 600; fill: var(--text); }
.node .detail { font-size: 11.5px; fill: var(--c); }
.edge { fill: none; stroke: #94a3b8; stroke-width: 1.5; }
.arrow { fill: #94a3b8; }
.box rect { stroke-width: 1.2; stroke-dasharray: 5 4; }
.box text { font-size: 10.5px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em; }
.box.k-parallel rect { fill: rgba(224, 242, 254, 0.5); stroke: var(--group); }  .box.k-parallel text { fill: var(--group); }
.box.k-pipeline rect { fill: rgba(224, 231, 255, 0.45); stroke: var(--pipe); }  .box.k-pipeline text { fill: var(--pipe); }

.errors { display: grid; gap: 14px; }
.error-card { border: 1px solid var(--line); border-left: 4px solid var(--c); border-radius: 10px; padding: 14px 18px; }
.error-card h3 code { font-size: 13.5px; }
.error-text { background: #fef2f2; color: #7f1d1d; border-radius: 8px; padding: 10px 12px; margin: 8px 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 320px; overflow: auto; }
.sub { margin: 10px 0 4px; font-size: 13px; font-weight: 600; }
.attempts { margin: 6px 0 0; padding-left: 20px; font-size: 13px; }
.attempts li { margin: 3px 0; }
.attempts code { color: #92400e; background: #fffbeb; border-radius: 4px; padding: 1px 5px; overflow-wrap: anywhere; }
.all-clear { color: #15803d; margin: 0; }

table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #eef0f4; vertical-align: top; }
th { font-size: 11px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); font-weight: 700; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.output { max-width: 380px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.items td code { overflow-wrap: anywhere; }
.items th:first-child { width: 48px; }  .items th:nth-child(3) { width: 90px; }
.table-wrap { overflow-x: auto; margin-top: 10px; }
details.steps summary { cursor: pointer; color: var(--muted); font-size: 13px; }
pre.origin { background: #f8fafc; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; overflow: auto; max-height: 320px; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 8px; }
`;
