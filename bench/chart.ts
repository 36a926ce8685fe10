/**
 * The chart: a hand-written SVG of ns per switch and bytes per blocked thread per contender,
 * which bench/README.md shows.
 *
 * Interface: renderChart(results) -> SVG text.
 * Invariants: three panels (yield ping-pong, blocking hand-offs, memory 3 frames deep), each a
 * horizontal bar per figure on a log10 axis (the contenders span three orders of magnitude),
 * the figure's value printed at the bar's end; panels with no figures are left out; all text is
 * XML-escaped. No chart library.
 */
import type { BenchResults, Figure } from './results.ts';

const WIDTH = 960;
const LABEL_W = 390;
const BAR_W = 460;
const ROW_H = 20;
const PANEL_GAP = 28;

/** How a row names its workload when a panel mixes workloads. */
const SHORT_WORKLOAD: Readonly<Record<string, string>> = {
  'mailbox-pingpong': 'send/receive',
  'mutex-handoff': 'mutex hand-off',
  'condvar-pingpong': 'condvar',
};

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly figures: Figure[];
}

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function colour(contender: string): string {
  if (contender.startsWith('greenkernel')) return '#2e7d32';
  if (contender.startsWith('raw')) return '#78909c';
  if (contender.startsWith('c-')) return '#8d6e63';
  if (contender.startsWith('async')) return '#1565c0';
  if (contender.startsWith('effection')) return '#8e24aa';
  if (contender.startsWith('effect')) return '#ef6c00';
  return '#555555';
}

function valueText(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1);
}

function panelSvg(p: Panel, top: number): { svg: string; height: number } {
  const values = p.figures.map((f) => f.median).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values))));
  const hi = Math.max(Math.max(...values) * 1.5, lo * 10);
  const span = Math.log10(hi) - Math.log10(lo);
  const x = (v: number): number =>
    LABEL_W + (BAR_W * (Math.log10(Math.max(v, lo)) - Math.log10(lo))) / span;
  const parts: string[] = [];
  parts.push(`<text x="10" y="${top + 16}" class="title">${esc(p.title)}</text>`);
  const axisTop = top + 26;
  const axisBottom = axisTop + p.figures.length * ROW_H;
  for (let e = Math.log10(lo); e <= Math.log10(hi); e++) {
    const gx = x(Math.pow(10, e)).toFixed(1);
    parts.push(`<line x1="${gx}" y1="${axisTop}" x2="${gx}" y2="${axisBottom}" class="grid"/>`);
    parts.push(
      `<text x="${gx}" y="${axisBottom + 14}" class="tick">${esc(Math.pow(10, e).toLocaleString('en-US'))}</text>`,
    );
  }
  p.figures.forEach((f, i) => {
    const y = axisTop + i * ROW_H;
    const end = x(f.median);
    const tag = SHORT_WORKLOAD[f.workload];
    const name =
      f.label +
      (tag !== undefined && p.figures.some((g) => g.workload !== p.figures[0]!.workload)
        ? ` (${tag})`
        : '');
    parts.push(`<text x="${LABEL_W - 8}" y="${y + 14}" class="label">${esc(name)}</text>`);
    parts.push(
      `<rect x="${LABEL_W}" y="${y + 3}" width="${Math.max(1, end - LABEL_W).toFixed(1)}" height="${ROW_H - 6}" fill="${colour(f.contender)}"/>`,
    );
    parts.push(
      `<text x="${(end + 4).toFixed(1)}" y="${y + 14}" class="value">${esc(valueText(f.median))} ${esc(p.unit)}</text>`,
    );
  });
  return { svg: parts.join('\n'), height: axisBottom + 14 - top + PANEL_GAP };
}

/**
 * Renders the results as an SVG document.
 *
 * @example
 * writeFileSync('bench/results/chart.svg', renderChart(results));
 */
export function renderChart(r: BenchResults): string {
  const panels: Panel[] = [
    {
      title: 'Yield ping-pong between two threads: ns per switch (log scale, lower is better)',
      unit: 'ns',
      figures: r.figures.filter((f) => f.workload === 'yield-pingpong'),
    },
    {
      title: 'Blocking hand-offs between two threads: ns per hand-off (log scale)',
      unit: 'ns',
      figures: r.figures.filter(
        (f) =>
          f.workload === 'mailbox-pingpong' ||
          f.workload === 'mutex-handoff' ||
          f.workload === 'condvar-pingpong',
      ),
    },
    {
      title: 'Heap per thread blocked 3 frames deep: bytes (log scale)',
      unit: 'B',
      figures: r.figures.filter((f) => f.workload === 'blocked-d3'),
    },
  ].filter((p) => p.figures.length > 0);
  const m = r.machine;
  const header = `greenkernel bench, ${r.mode} run: Node ${m.node}, ${m.cpu}, ${m.cores} cores, ${m.date.slice(0, 10)}`;
  let top = 40;
  const bodies: string[] = [];
  for (const p of panels) {
    const { svg, height } = panelSvg(p, top);
    bodies.push(svg);
    top += height;
  }
  const height = top + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '<style>.title{font-size:14px;font-weight:bold}.label{font-size:12px;text-anchor:end}.value{font-size:11px}.tick{font-size:10px;text-anchor:middle;fill:#666}.grid{stroke:#ddd;stroke-width:1}.head{font-size:12px;fill:#444}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="22" class="head">${esc(header)}</text>`,
    ...bodies,
    '</svg>',
    '',
  ].join('\n');
}
