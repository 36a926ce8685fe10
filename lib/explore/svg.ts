/**
 * A run drawn as a self-contained SVG timeline: one lane per thread, time (dispatches) left to
 * right; running, runnable, blocked and waiting-on-host in distinct colours; wake-ups as
 * arrows from the waker to the woken thread; the threads of a deadlock cycle highlighted.
 *
 * Interface: renderTimeline(events, options) -> string (an SVG document), SVG_COLOURS.
 * Invariants: the document is well-formed XML with no external reference (styles inline);
 * exactly one lane (a `<g class="lane">`) per thread of the trace, in id order; text is
 * escaped; the width is bounded (MAX_WIDTH) however long the run: long runs are scaled down.
 */
import type { TraceEvent } from '../spi.ts';
import { buildTimeline, type LaneState } from './timeline.ts';

export const SVG_COLOURS: Readonly<Record<LaneState, string>> = {
  running: '#2e7d32',
  runnable: '#c5e1a5',
  blocked: '#ef6c00',
  host: '#1e88e5',
};
const LANE = 28;
const BAR = 16;
const LEFT = 150;
const TOP = 56;
const MAX_WIDTH = 1600;
const MAX_STEP_WIDTH = 32;
const MIN_WIDTH = 860;

export interface TimelineOptions {
  readonly title?: string;
  /** Thread ids to highlight (a deadlock cycle). */
  readonly highlight?: readonly number[];
}

/**
 * The SVG timeline of a recorded run.
 *
 * @example
 * writeFileSync('run.svg', renderTimeline(traceEvents(kernel), { title: 'ab-ba' }));
 */
export function renderTimeline(
  events: readonly TraceEvent[],
  options: TimelineOptions = {},
): string {
  const tl = buildTimeline(events);
  const span = Math.max(1, tl.end.pos);
  const unit = Math.min(MAX_STEP_WIDTH, (MAX_WIDTH - LEFT - 20) / span);
  const width = Math.max(MIN_WIDTH, Math.ceil(LEFT + span * unit + 20)); // the legend fits
  const height = TOP + tl.threads.length * LANE + 40;
  const laneOf = new Map(tl.threads.map((t, i) => [t.id, i]));
  const x = (pos: number): number => round(LEFT + pos * unit);
  const yMid = (thread: number): number => TOP + laneOf.get(thread)! * LANE + LANE / 2;
  const highlight = new Set(options.highlight ?? []);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="12">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6a1b9a"/></marker></defs>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">${esc(options.title ?? 'greenkernel run')}</text>`,
  );
  let lx = 10;
  for (const [state, colour] of Object.entries(SVG_COLOURS)) {
    out.push(
      `<rect x="${lx}" y="28" width="12" height="12" fill="${colour}"/><text x="${lx + 16}" y="38">${state === 'host' ? 'waiting on host' : state}</text>`,
    );
    lx += 130;
  }
  out.push(
    `<line x1="${lx}" y1="34" x2="${lx + 24}" y2="34" stroke="#6a1b9a" marker-end="url(#arrow)"/><text x="${lx + 30}" y="38">wake-up</text>`,
  );
  if (highlight.size > 0)
    out.push(`<text x="${lx + 110}" y="38" fill="#c62828">red: deadlock cycle</text>`);
  for (const t of tl.threads) {
    const i = laneOf.get(t.id)!;
    const y = TOP + i * LANE;
    const hot = highlight.has(t.id);
    out.push(`<g class="lane" data-thread="${t.id}">`);
    out.push(
      `<rect x="0" y="${y}" width="${width}" height="${LANE}" fill="${hot ? '#ffebee' : i % 2 === 0 ? '#fafafa' : '#f0f0f0'}"/>`,
    );
    out.push(
      `<text x="8" y="${y + LANE / 2 + 4}"${hot ? ' fill="#c62828" font-weight="bold"' : ''}>${esc(`${t.name}#${t.id}`)}</text>`,
    );
    for (const s of tl.segments) {
      if (s.thread !== t.id) continue;
      const x0 = x(s.from.pos);
      const w = Math.max(1, round(x(s.to.pos) - x0));
      const stroke = hot && s.open ? ' stroke="#c62828" stroke-width="2"' : '';
      const tip = s.state === 'blocked' ? `blocked on ${s.label}` : s.label;
      out.push(
        `<rect x="${x0}" y="${y + (LANE - BAR) / 2}" width="${w}" height="${BAR}" fill="${SVG_COLOURS[s.state]}"${stroke}><title>${esc(`${tip} (at ${s.from.pos}-${s.to.pos}, t=${s.from.time} ms)`)}</title></rect>`,
      );
      if (s.state === 'blocked' && w > 60)
        out.push(
          `<text x="${x0 + 3}" y="${y + LANE / 2 + 4}" font-size="10" fill="#ffffff">${esc(clip(s.label, Math.floor(w / 6.5)))}</text>`,
        );
    }
    out.push('</g>');
  }
  for (const a of tl.arrows) {
    if (!laneOf.has(a.from) || !laneOf.has(a.to)) continue;
    out.push(
      `<line class="wake" x1="${x(a.at.pos)}" y1="${yMid(a.from)}" x2="${x(a.until.pos)}" y2="${yMid(a.to)}" stroke="#6a1b9a" stroke-width="1.2" marker-end="url(#arrow)"/>`,
    );
  }
  const axisY = TOP + tl.threads.length * LANE + 16;
  out.push(`<text x="${LEFT}" y="${axisY}" fill="#555">step 0</text>`);
  out.push(
    `<text x="${x(span)}" y="${axisY}" fill="#555" text-anchor="end">step ${Math.floor(span)}, t=${tl.end.time} ms</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, Math.max(1, n - 1)) + '…';
}

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
