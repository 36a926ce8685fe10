/**
 * The timing harness: checks each cell's work, warms it up, then times it in interleaved runs
 * and reports the best run's median.
 *
 * Interface: verifyCell(cell), repeatFor(runner, seconds, minCalls) -> seconds per run(),
 * takeSamples(runner, count, samples) -> seconds per run(),
 * measureCells(cells, method, progress) -> CellResult[].
 * Invariants (the noise guard):
 *  - a cell whose contender needs a library that is not installed (optional.ts) is skipped and
 *    said so in the progress lines; the run's report names it (bench/index.ts);
 *  - before anything is timed, every cell runs once with a probe and its schedule is checked
 *    (expect.ts): a cell that does not do the work it claims fails the suite;
 *  - each cell is warmed up for `method.warmupSeconds`, then its per-sample operation count is
 *    fixed from a calibration so every sample lasts about `method.sampleSeconds`;
 *  - runs are interleaved: run 1 of every cell, then run 2 of every cell... so slow drifts of a
 *    shared machine hit all contenders of a suite alike; the reported figure is the best run's
 *    median, with every run's median kept for the spread;
 *  - a sample is `count` back-to-back calls of run() (each awaited, for event-loop contenders)
 *    timed with the monotonic high-resolution clock; nothing else runs inside the timed region;
 *  - figures are per unit of work: a sample's seconds per run() x 1e9 / opsPerRun.
 * The harness needs nothing outside node: it runs from an installed package.
 */
import { checkSchedule } from './expect.ts';
import type { Method } from './method.ts';
import { missingPackageFor } from './optional.ts';
import { median, relativeMarginOfError } from './stats.ts';
import type { BenchCell, Cell, CellResult, Probe, Runner } from './types.ts';

/**
 * Runs `cell` once with a probe and checks the schedule; throws when it is wrong.
 *
 * @example
 * await verifyCell(cell); // throws 'yield-pingpong/raw-trampoline: entry 3: ...' on a bad log
 */
export async function verifyCell(cell: BenchCell): Promise<void> {
  const probe: Probe = { log: [] };
  const runner = cell.create(probe);
  await runOnce(runner);
  const problem = checkSchedule(probe.log, cell.expect);
  if (problem !== null)
    throw new Error(
      `${cell.workload}/${cell.contender} does not do the work it claims: ${problem}`,
    );
}

function runOnce(runner: Runner): Promise<void> | void {
  return runner.mode === 'sync' ? runner.run() : runner.run();
}

/**
 * Calls run() repeatedly for at least `seconds` (and at least `minCalls` times); resolves with
 * the mean seconds per call. Used for the warm-up and, right after it, for the calibration.
 *
 * @example
 * const period = await repeatFor(runner, 0.1, 1); // seconds per run()
 */
export async function repeatFor(
  runner: Runner,
  seconds: number,
  minCalls: number,
): Promise<number> {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const maxCalls = 1e7;
  let calls = 0;
  for (; calls < maxCalls && (calls < minCalls || performance.now() < deadline); calls++) {
    if (runner.mode === 'sync') runner.run();
    else await runner.run();
  }
  return (performance.now() - start) / 1000 / Math.max(1, calls);
}

/**
 * Times `samples` samples of `count` calls of run() each; resolves with seconds per run() of
 * each sample.
 *
 * @example
 * const seconds = await takeSamples(runner, 1000, 9); // 9 figures, seconds per run()
 */
export async function takeSamples(
  runner: Runner,
  count: number,
  samples: number,
): Promise<number[]> {
  const out: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = process.hrtime.bigint();
    if (runner.mode === 'sync') {
      for (let i = 0; i < count; i++) runner.run();
    } else {
      for (let i = 0; i < count; i++) await runner.run();
    }
    out.push(Number(process.hrtime.bigint() - start) / 1e9 / count);
  }
  return out;
}

interface Prepared {
  readonly cell: Cell;
  readonly runner: Runner | null;
  readonly count: number;
  readonly runs: number[][];
}

/**
 * Verifies, warms up and times every cell; returns one result per cell, in the given order.
 *
 * @example
 * const results = await measureCells(cells, methodFor(true), (line) => console.error(line));
 */
export async function measureCells(
  cells: readonly Cell[],
  method: Method,
  progress: (line: string) => void,
): Promise<CellResult[]> {
  const prepared: Prepared[] = [];
  for (const cell of cells) {
    const id = `${cell.workload}/${cell.contender}`;
    const missing = missingPackageFor(cell.contender);
    if (missing !== null) {
      progress(`  ${id}: skipped, ${missing.label} is not installed`);
      continue;
    }
    if (cell.kind === 'native') {
      prepared.push({ cell, runner: null, count: 1, runs: [] });
      continue;
    }
    await verifyCell(cell);
    const runner = cell.create(null);
    await repeatFor(runner, method.warmupSeconds, 2);
    const period = await repeatFor(runner, method.sampleSeconds, 1);
    const count = Math.max(1, Math.round(method.sampleSeconds / Math.max(period, 1e-9)));
    progress(`  ${id}: verified, warmed up ${method.warmupSeconds}s, ${count} run(s) per sample`);
    prepared.push({ cell, runner, count, runs: [] });
  }
  for (let run = 0; run < method.runs; run++) {
    for (const p of prepared) {
      const id = `${p.cell.workload}/${p.cell.contender}`;
      let nsPerUnit: number[];
      if (p.cell.kind === 'native') {
        nsPerUnit = p.cell.measure();
      } else {
        const seconds = await takeSamples(p.runner!, p.count, method.samplesPerRun);
        const ops = p.cell.opsPerRun;
        nsPerUnit = seconds.map((s) => (s * 1e9) / ops);
      }
      p.runs.push(nsPerUnit);
      progress(
        `  run ${run + 1}/${method.runs} ${id}: median ${median(nsPerUnit).toFixed(1)} ${p.cell.unit}`,
      );
    }
  }
  return prepared.map((p) => summarize(p));
}

function summarize(p: Prepared): CellResult {
  const runMedians = p.runs.map((r) => median(r));
  const best = runMedians.indexOf(Math.min(...runMedians));
  const all = p.runs.flat();
  const unitsPerSample = p.cell.kind === 'native' ? 0 : p.count * p.cell.opsPerRun;
  const result: CellResult = {
    workload: p.cell.workload,
    contender: p.cell.contender,
    unit: p.cell.unit,
    median: runMedians[best]!,
    runMedians,
    min: Math.min(...all),
    max: Math.max(...all),
    rmePct: relativeMarginOfError(p.runs[best]!),
    samplesPerRun: p.runs[best]!.length,
    unitsPerSample,
    ...(p.cell.note !== undefined ? { note: p.cell.note } : {}),
  };
  return result;
}
