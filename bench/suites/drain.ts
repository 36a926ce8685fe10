/**
 * Suite "drain": n greenkernel threads blocked on one Semaphore (and, separately, n blocked on
 * one Mutex), released one at a time, for each n of method.drainSizes (1,000 to 1,000,000 in a
 * full run). The figure is ns per wake at each n, so a wake whose cost grows with the length of
 * the wait queue shows as a figure growing with n.
 *
 * Interface: runDrain(method, progress, gc?) -> { drain: DrainResult[], notes }.
 * Method (not benchmark.js: a drain of 1,000,000 is one long sample, not repeated 27 times):
 *  - per primitive, one probed drain of the smallest n is checked first: every thread released,
 *    in FIFO order (expect.ts), the primitive left free, no thread alive;
 *  - then untimed drains of the smallest n for method.drainWarmupSeconds (JIT, inline caches);
 *  - each n, ascending: reps = max(1, floor(method.drainRepWakes / n)) drains, each on a fresh
 *    kernel (`detection: false`) after a minor GC, with another minor GC between its block and
 *    its release phase (so the release does not scavenge the block phase's young objects). No
 *    full GC is forced: one made the next few drains of 1,000 up to 4x slower (see scavenge).
 *    The figure is the median over the reps of the release phase's seconds x 1e9 / threads
 *    released; the block phase (spawn, first run, block) is reported beside it in ns per thread;
 *  - a release phase that exceeds method.drainBudgetSeconds stops: the figure is then 'partial',
 *    the rate over the wakes done (the start of the drain, where the queue is longest), and
 *    every larger n of that primitive is 'skipped' with a note giving n x the measured rate.
 *    So the suite ends in minutes even where a wake costs O(n);
 *  - goals compare the largest n with the smallest (goals.ts).
 * Invariants: runs under --expose-gc (the default `gc`, scavenge, needs it); a drain that was not stopped by
 * the budget yet did not release every thread fails the suite; ratios are of one process.
 */
import {
  mutexDrain,
  semaphoreDrain,
  type DrainOptions,
  type DrainRun,
} from '../contenders/greenkernel-drain.ts';
import { checkSchedule } from '../expect.ts';
import type { Method } from '../method.ts';
import { median } from '../stats.ts';
import type { DrainResult, Probe } from '../types.ts';

type Drain = (n: number, options: DrainOptions) => DrainRun;

/** The drain workloads, in the order they run. */
export const DRAINS: readonly { readonly workload: string; readonly drain: Drain }[] = [
  { workload: 'drain-semaphore', drain: semaphoreDrain },
  { workload: 'drain-mutex', drain: mutexDrain },
];

const count = (x: number): string => Math.round(x).toLocaleString('en-US');

/**
 * A minor GC (scavenge of the young generation). Not a full GC: on this project's machine,
 * semaphore drains of 1,000 took ~1,550 ns per wake after a scavenge (steady), ~3,000 with no
 * forced GC, and 3,000-14,000 for several drains after a forced full GC — which would inflate
 * the small-n figure that every drain goal divides by.
 *
 * @example
 * scavenge(); // needs node --expose-gc
 */
export function scavenge(): void {
  const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;
  if (gc === undefined) throw new Error('the drain suite needs node --expose-gc');
  gc({ type: 'minor' });
}

/**
 * Runs one probed drain of n with no budget and throws unless it released every thread once,
 * in spawn order, and left nothing behind.
 *
 * @example
 * verifyDrain('drain-mutex', mutexDrain, 100);
 */
export function verifyDrain(workload: string, drain: Drain, n: number): void {
  const probe: Probe = { log: [] };
  const r = drain(n, { budgetSeconds: Infinity, probe });
  const problem = r.complete
    ? checkSchedule(probe.log, { threads: n, rounds: 1 })
    : `released ${r.released} of ${n}, or left the primitive held or a thread alive`;
  if (problem !== null) throw new Error(`${workload} does not do the work it claims: ${problem}`);
}

function warmUp(drain: Drain, n: number, seconds: number): void {
  const deadline = performance.now() + seconds * 1000;
  do drain(n, { budgetSeconds: Infinity, probe: null });
  while (performance.now() < deadline);
}

const nsPerWake = (r: DrainRun): number => (r.releaseSeconds * 1e9) / Math.max(1, r.released);

/** Times the reps of one size; stops early at the first rep the budget cut short. */
function timeSize(
  workload: string,
  drain: Drain,
  n: number,
  method: Method,
  gc: () => void,
): DrainRun[] {
  const reps = Math.max(1, Math.floor(method.drainRepWakes / n));
  const runs: DrainRun[] = [];
  for (let i = 0; i < reps; i++) {
    gc();
    const r = drain(n, {
      budgetSeconds: method.drainBudgetSeconds,
      probe: null,
      betweenPhases: gc,
    });
    if (!r.stopped && !r.complete)
      throw new Error(
        `${workload} n=${n}: the kernel went idle with ${r.released} of ${n} threads released`,
      );
    runs.push(r);
    if (r.stopped) break;
  }
  return runs;
}

function summarize(workload: string, n: number, runs: readonly DrainRun[]): DrainResult {
  const stopped = runs.find((r) => r.stopped);
  const rates = runs.map(nsPerWake);
  if (stopped !== undefined) {
    return {
      workload,
      n,
      status: 'partial',
      reps: runs.length,
      nsPerWake: nsPerWake(stopped),
      repNsPerWake: rates,
      blockNsPerThread: (stopped.blockSeconds * 1e9) / n,
      released: stopped.released,
      drainSeconds: stopped.releaseSeconds,
      note: `budget ran out: ${count(stopped.released)} of ${count(n)} released in ${stopped.releaseSeconds.toFixed(1)} s; rate over those wakes`,
    };
  }
  return {
    workload,
    n,
    status: 'complete',
    reps: runs.length,
    nsPerWake: median(rates),
    repNsPerWake: rates,
    blockNsPerThread: median(runs.map((r) => (r.blockSeconds * 1e9) / n)),
    released: n,
    drainSeconds: median(runs.map((r) => r.releaseSeconds)),
  };
}

function skipped(
  workload: string,
  n: number,
  partial: DrainResult,
  budgetSeconds: number,
): DrainResult {
  const atThatRate = (n * partial.nsPerWake!) / 1e9;
  const note =
    `skipped: n=${count(n)} would take too long at the measured rate ` +
    `(n=${count(partial.n)} released ${count(partial.released)} in ${partial.drainSeconds.toFixed(1)} s, ${count(partial.nsPerWake!)} ns per wake; ` +
    `${count(n)} wakes at that rate: ${count(atThatRate)} s, budget ${budgetSeconds} s)`;
  return {
    workload,
    n,
    status: 'skipped',
    reps: 0,
    nsPerWake: null,
    repNsPerWake: [],
    blockNsPerThread: null,
    released: 0,
    drainSeconds: 0,
    note,
  };
}

function progressLine(r: DrainResult): string {
  const head = `  ${r.workload} n=${count(r.n)}`;
  if (r.status === 'skipped') return `${head}: ${r.note}`;
  const what = r.status === 'partial' ? `partial (${r.note})` : `${r.reps} drain(s)`;
  return `${head}: ${what}, median ${count(r.nsPerWake!)} ns/wake (block ${count(r.blockNsPerThread!)} ns/thread)`;
}

/**
 * Verifies, warms up and times every drain size of both primitives; a size the previous size's
 * budget-cut rate makes hopeless is skipped with a note (also returned in `notes`).
 *
 * @example
 * const { drain, notes } = runDrain(methodFor(true), (line) => console.error(line));
 */
export function runDrain(
  method: Method,
  progress: (line: string) => void,
  gc: () => void = scavenge,
): { drain: DrainResult[]; notes: string[] } {
  const drain: DrainResult[] = [];
  const notes: string[] = [];
  const smallest = method.drainSizes[0]!;
  for (const { workload, drain: fn } of DRAINS) {
    verifyDrain(workload, fn, smallest);
    warmUp(fn, smallest, method.drainWarmupSeconds);
    progress(
      `  ${workload}: verified (n=${count(smallest)}, FIFO), warmed up ${method.drainWarmupSeconds}s`,
    );
    let partial: DrainResult | null = null;
    for (const n of method.drainSizes) {
      const r: DrainResult =
        partial !== null
          ? skipped(workload, n, partial, method.drainBudgetSeconds)
          : summarize(workload, n, timeSize(workload, fn, n, method, gc));
      if (r.status === 'partial') partial = r;
      if (r.status === 'skipped') notes.push(`${workload}: ${r.note!}`);
      drain.push(r);
      progress(progressLine(r));
    }
  }
  return { drain, notes };
}
