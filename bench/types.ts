/**
 * Shared shapes of the benchmark harness: what a contender hands to a suite, and what a suite
 * hands back to the parent process.
 *
 * Interface: Probe, Runner, Expectation, BenchCell, NativeCell, Cell, CellResult, MemoryResult,
 * DrainResult, CapacityResult, SuiteOutput.
 * Invariants:
 *  - a Runner's run() performs exactly `opsPerRun` units of work (switches, or spawned threads)
 *    every time it is called, whether or not a probe is attached;
 *  - with a probe, the work logs one thread id per unit, in the order the units ran, so a test
 *    (and the harness itself, before timing) can check the schedule against an Expectation;
 *  - figures are per unit: ns per switch, ns per spawned thread, bytes per blocked thread, ns per
 *    wake of a drain (one blocked thread released and finished).
 */

/** Records which thread ran, in order. Contenders log `id` once per switch (or spawn). */
export interface Probe {
  readonly log: number[];
}

/** One timed operation of a workload. Synchronous, or a Promise for event-loop contenders. */
export type Runner =
  { readonly mode: 'sync'; run(): void } | { readonly mode: 'async'; run(): Promise<void> };

/**
 * What the probe log of one run() must be: `rounds` repetitions of the ids 0..threads-1, in
 * order (a two-thread ping-pong is threads 2; a round robin over 1,000 threads is threads 1000).
 */
export interface Expectation {
  readonly threads: number;
  readonly rounds: number;
}

/** The unit a figure is given in. */
export type Unit = 'ns/switch' | 'ns/thread' | 'bytes/thread';

/** A workload of one contender, timed in-process by the harness (harness.ts). */
export interface BenchCell {
  readonly kind: 'bench';
  readonly workload: string;
  readonly contender: string;
  readonly unit: 'ns/switch' | 'ns/thread';
  /** Switches (or spawned threads) performed by one run(). */
  readonly opsPerRun: number;
  /** The probe log one run() produces. */
  readonly expect: Expectation;
  /** Creates the runner (setup happens here, outside the timed region). */
  create(probe: Probe | null): Runner;
  /** Said in the report, e.g. how setup is amortised. */
  readonly note?: string;
}

/** A native reference program: each invocation warms up and prints its own samples. */
export interface NativeCell {
  readonly kind: 'native';
  readonly workload: string;
  readonly contender: string;
  readonly unit: 'ns/switch';
  /** Runs the program once; returns ns per switch for each repetition. */
  measure(): number[];
  readonly note?: string;
}

export type Cell = BenchCell | NativeCell;

/** One contender's figure in one workload, from one suite process. */
export interface CellResult {
  readonly workload: string;
  readonly contender: string;
  readonly unit: 'ns/switch' | 'ns/thread';
  /** Best of the runs' medians: the figure reported. */
  readonly median: number;
  /** The median of each run, in run order. */
  readonly runMedians: number[];
  /** Smallest and largest single sample over all runs. */
  readonly min: number;
  readonly max: number;
  /** Relative margin of error (95%, %) of the samples of the best run. */
  readonly rmePct: number;
  readonly samplesPerRun: number;
  /** Units of work per sample (calls of run() timed together), or per repetition for native cells. */
  readonly unitsPerSample: number;
  readonly note?: string;
}

/** Bytes per blocked thread of one contender. */
export interface MemoryResult {
  readonly workload: string;
  readonly contender: string;
  readonly unit: 'bytes/thread';
  /** Generator (or async) frames each thread is suspended in. */
  readonly depth: number;
  readonly threads: number;
  /** Threads found blocked at the deepest frame after the heap was measured. */
  readonly verifiedBlocked: number;
  readonly heapDeltaBytes: number;
  readonly median: number;
  readonly note?: string;
}

/**
 * One size of a drain workload: n threads blocked on one primitive, released one at a time.
 * Timed once per drain (no benchmark.js): `reps` drains of n, each on a fresh kernel.
 */
export interface DrainResult {
  /** 'drain-semaphore' or 'drain-mutex'. */
  readonly workload: string;
  /** Threads blocked, then released. */
  readonly n: number;
  /**
   * 'complete': every drain released all n threads; 'partial': the time budget ran out first,
   * the figure is the rate over the wakes done; 'skipped': not run (see note).
   */
  readonly status: 'complete' | 'partial' | 'skipped';
  /** Drains timed (0 when skipped). */
  readonly reps: number;
  /** The figure: median over the drains of ns per wake; null when skipped. */
  readonly nsPerWake: number | null;
  /** ns per wake of each drain, in order. */
  readonly repNsPerWake: number[];
  /** Median ns per thread of the block phase (spawn, first run, block); null when skipped. */
  readonly blockNsPerThread: number | null;
  /** Threads released and finished in the median drain (n when complete). */
  readonly released: number;
  /** Seconds of the median drain's release phase. */
  readonly drainSeconds: number;
  readonly note?: string;
}

/** How many blocked greenkernel threads one process holds, and whether they drain one by one. */
export interface CapacityResult {
  readonly threads: number;
  readonly verifiedBlocked: number;
  readonly depth: number;
  /** Heap used (after forced GC) before the threads were created, and with all of them blocked. */
  readonly heapBeforeBytes: number;
  readonly heapUsedBytes: number;
  readonly heapLimitBytes: number;
  readonly rssBytes: number;
  readonly seconds: number;
  /** Threads woken one at a time (semaphore up() by a releaser thread) before the drain stopped. */
  readonly drained: number;
  /** Seconds of that release phase. */
  readonly drainSeconds: number;
  /** True when every thread was woken and finished within the budget. */
  readonly drainComplete: boolean;
  readonly drainBudgetSeconds: number;
}

/** What a suite's child process writes to its output file. */
export interface SuiteOutput {
  readonly suite: string;
  readonly cells: CellResult[];
  readonly memory: MemoryResult[];
  readonly capacity: CapacityResult | null;
  readonly drain: DrainResult[];
  readonly notes: string[];
  readonly seconds: number;
}
