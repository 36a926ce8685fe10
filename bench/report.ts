/**
 * The text report: the results table, the capacity line and the goal lines, as printed to
 * stdout by `npm run bench`.
 *
 * Interface: formatReport(results) -> string.
 * Invariants: one row per figure, grouped by unit then workload in suite order; one row per
 * drain size, in the order measured, partial and skipped sizes marked as such; every ratio
 * shown comes from the document (so from one suite process); a goal line starts with PASS,
 * FAIL, INFO or "n/a" (not measured in this run).
 */
import type { BenchResults, CapacityOutcome, DrainFigure, Figure, Goal } from './results.ts';

function fmt(x: number): string {
  if (x >= 1000) return Math.round(x).toLocaleString('en-US');
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function ratio(x: number | null): string {
  if (x === null) return '-';
  return x >= 100 ? `${x.toFixed(0)}x` : `${x.toFixed(2)}x`;
}

function spread(f: Figure): string {
  if (f.unit === 'bytes/thread') return `${(f.threads ?? 0).toLocaleString('en-US')} threads`;
  const lo = Math.min(...f.runMedians);
  const hi = Math.max(...f.runMedians);
  const range = f.runMedians.length > 1 ? `${fmt(lo)}-${fmt(hi)}` : fmt(lo);
  return `${range} ±${f.rmePct.toFixed(1)}%`;
}

function table(rows: string[][], right: ReadonlySet<number> = new Set([2, 3, 4])): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, col) =>
          right.has(col) ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const SECTIONS: readonly {
  unit: Figure['unit'];
  title: string;
  header: string;
  spreadHeader: string;
}[] = [
  {
    unit: 'ns/switch',
    title: 'Time per switch',
    header: 'ns/switch',
    spreadHeader: 'run medians ±rme',
  },
  {
    unit: 'ns/thread',
    title: 'Spawn + exit',
    header: 'ns/thread',
    spreadHeader: 'run medians ±rme',
  },
  {
    unit: 'bytes/thread',
    title: 'Memory per blocked thread (heap delta after forced GC)',
    header: 'bytes/thread',
    spreadHeader: 'measured over',
  },
];

function goalLine(g: Goal): string {
  const head = g.kind === 'info' ? 'INFO' : g.pass === null ? 'n/a ' : g.pass ? 'PASS' : 'FAIL';
  if (g.value === null) return `${head}  ${g.text}: not measured in this run`;
  const isBytesOrCount = g.id.startsWith('memory') || g.id.startsWith('capacity');
  const value = isBytesOrCount ? `${Math.round(g.value).toLocaleString('en-US')}` : ratio(g.value);
  const runs =
    g.perRun.length > 1
      ? ` (per run ${ratio(Math.min(...g.perRun))}-${ratio(Math.max(...g.perRun))})`
      : '';
  const also = g.also === null ? '' : `; ${ratio(g.also.value)} the ${g.also.versus} floor`;
  return `${head}  ${g.text}: ${value}${runs}${also}`;
}

function drainRow(d: DrainFigure): string[] {
  const n = d.n.toLocaleString('en-US');
  if (d.status === 'skipped')
    return [d.workloadLabel, n, '-', '-', '-', '0', 'skipped (see note)', '-'];
  const released =
    d.status === 'complete'
      ? 'all'
      : `${d.released.toLocaleString('en-US')} (partial: budget ran out)`;
  return [
    d.workloadLabel,
    n,
    fmt(d.nsPerWake!),
    ratio(d.ratioToSmallest),
    fmt(d.blockNsPerThread!),
    String(d.reps),
    released,
    d.drainSeconds.toFixed(d.drainSeconds >= 1 ? 1 : 4),
  ];
}

function drainSection(drain: readonly DrainFigure[], repWakes: number): string[] {
  if (drain.length === 0) return [];
  const rows: string[][] = [
    [
      'workload',
      'n',
      'median ns/wake',
      'x smallest n',
      'block ns/thread',
      'drains',
      'released',
      'release s',
    ],
  ];
  for (const d of drain) rows.push(drainRow(d));
  return [
    '',
    `Drain: n threads blocked on one primitive, released one at a time (fresh kernel per drain, detection off; ` +
      `figure = median of max(1, ${repWakes.toLocaleString('en-US')} / n) drains; x smallest n: same workload, same process)`,
    table(rows, new Set([1, 2, 3, 4, 5, 7])),
  ];
}

function capacityLine(c: CapacityOutcome): string {
  const heap =
    c.maxOldSpaceSizeMb === null ? 'default heap' : `--max-old-space-size=${c.maxOldSpaceSizeMb}`;
  const drained = c.drained.toLocaleString('en-US');
  const drain = c.drainComplete
    ? `released one at a time: all ${drained} in ${c.drainSeconds.toFixed(2)} s (${fmt((c.drainSeconds * 1e9) / Math.max(1, c.drained))} ns per wake)`
    : `released one at a time: only ${drained} within the ${c.drainBudgetSeconds} s budget (${c.drainSeconds.toFixed(1)} s; the rest released at once)`;
  return (
    `Capacity: ${c.fits ? c.verifiedBlocked.toLocaleString('en-US') : 0} of ${c.threads.toLocaleString('en-US')} greenkernel threads blocked ${c.depth} frames deep on a Semaphore ` +
    `${c.fits ? 'fit' : 'did NOT fit'} (${heap}, limit ${(c.heapLimitBytes / 2 ** 20).toFixed(0)} MiB): heap used ${(c.heapUsedBytes / 2 ** 20).toFixed(0)} MiB ` +
    `(+${((c.heapUsedBytes - c.heapBeforeBytes) / Math.max(1, c.threads)).toFixed(0)} B per thread), rss ${(c.rssBytes / 2 ** 20).toFixed(0)} MiB, created in ${c.seconds.toFixed(2)} s; ` +
    drain
  );
}

/**
 * Renders the whole report.
 *
 * @example
 * process.stdout.write(formatReport(results));
 */
export function formatReport(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(
    `greenkernel bench (${r.mode} run) - Node ${m.node}, ${m.cpu}, ${m.cores} cores, ${m.platform}/${m.arch}, ${m.date}`,
  );
  out.push(
    `method: per cell ${r.method.warmupSeconds} s warm-up, then ${r.method.runs} interleaved run(s) of ${r.method.samplesPerRun} samples ` +
      `(~${r.method.sampleSeconds} s each); figure = best run's median; ratios only within one suite process`,
  );
  for (const section of SECTIONS) {
    const figs = r.figures.filter((f) => f.unit === section.unit);
    if (figs.length === 0) continue;
    out.push('', `${section.title}`);
    const rows: string[][] = [
      ['workload', 'contender', `median ${section.header}`, section.spreadHeader, 'x floor'],
    ];
    for (const f of figs)
      rows.push([f.workloadLabel, f.label, fmt(f.median), spread(f), ratio(f.ratioToFloor)]);
    out.push(table(rows));
  }
  const floors = [...new Set(r.figures.map((f) => `${f.workloadLabel}: ${f.floor}`))];
  if (floors.length > 0) out.push('', `floors: ${floors.join('; ')}`);
  out.push(...drainSection(r.drain, r.method.drainRepWakes));
  if (r.capacity !== null) out.push('', capacityLine(r.capacity));
  out.push(
    '',
    'Goals' + (r.mode === 'quick' ? ' (quick run: tiny counts, verdicts not meaningful)' : ''),
  );
  for (const g of r.goals) out.push(goalLine(g));
  const failed = r.suites.filter((s) => !s.ok);
  for (const s of failed) out.push(`suite ${s.name} FAILED: ${s.error ?? 'unknown error'}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}
