/**
 * The measuring method and the workload sizes, for a full run and for `--quick`.
 *
 * Interface: methodFor(quick) -> Method.
 * Invariants: a full run follows the method of the field notes (per cell: a 2 s warm-up, then
 * 3 runs of 9 samples each, reporting the best run's median); `--quick` keeps the same shape
 * with tiny counts so the whole harness is exercised in seconds. All sizes are positive integers.
 * Drains are the exception to the method: each is one long sample (see suites/drain.ts), bounded
 * by a time budget so the suite ends in minutes even where a wake costs O(n).
 */

export interface Method {
  readonly quick: boolean;
  /** Warm-up per cell before its first run, in seconds (JIT tiers, inline caches, heap growth). */
  readonly warmupSeconds: number;
  /** Runs per cell; the figure is the best run's median. Runs of all cells are interleaved. */
  readonly runs: number;
  /** Samples per run (harness.ts takeSamples). */
  readonly samplesPerRun: number;
  /** Target duration of one sample (calls of run() timed together), in seconds. */
  readonly sampleSeconds: number;
  /** Rounds of a two-thread ping-pong per run: 2 x rounds switches. */
  readonly pingPongRounds: number;
  /** Threads of the round-robin workloads (1,000 in a full run). */
  readonly rrThreads: number;
  /** Rounds per run when the threads persist across runs (raw generators, greenkernel). */
  readonly rrRounds: number;
  /** Rounds per run when the contender must create its threads in each run. */
  readonly rrRoundsFresh: number;
  /** Threads spawned (and exited) per run of the spawn workload. */
  readonly spawnBatch: number;
  /** Threads blocked for the bytes-per-thread measurement. */
  readonly memoryThreads: number;
  /** Threads blocked by the capacity check (target 1,000,000). */
  readonly capacityThreads: number;
  /** Seconds the capacity check may spend releasing its threads one at a time. */
  readonly capacityDrainBudgetSeconds: number;
  /** Sizes of the drain workloads, ascending; goals compare the last with the first. */
  readonly drainSizes: readonly number[];
  /** Drains per size: max(1, floor(drainRepWakes / n)), so small sizes are not one tiny sample. */
  readonly drainRepWakes: number;
  /** Untimed drains of the smallest size before a primitive's first timed drain, in seconds. */
  readonly drainWarmupSeconds: number;
  /** Seconds one drain's release phase may take before it stops with a partial figure. */
  readonly drainBudgetSeconds: number;
  /** Warm-up inside each invocation of a native program, in ms. */
  readonly nativeWarmupMs: number;
}

const FULL: Method = {
  quick: false,
  warmupSeconds: 2,
  runs: 3,
  samplesPerRun: 9,
  sampleSeconds: 0.1,
  pingPongRounds: 5_000,
  rrThreads: 1_000,
  rrRounds: 10,
  rrRoundsFresh: 50,
  spawnBatch: 1_000,
  memoryThreads: 100_000,
  capacityThreads: 1_000_000,
  capacityDrainBudgetSeconds: 20,
  drainSizes: [1_000, 10_000, 100_000, 1_000_000],
  drainRepWakes: 10_000,
  drainWarmupSeconds: 1,
  drainBudgetSeconds: 15,
  nativeWarmupMs: 200,
};

const QUICK: Method = {
  quick: true,
  warmupSeconds: 0.02,
  runs: 1,
  samplesPerRun: 3,
  sampleSeconds: 0.005,
  pingPongRounds: 100,
  rrThreads: 50,
  rrRounds: 2,
  rrRoundsFresh: 4,
  spawnBatch: 50,
  memoryThreads: 1_000,
  capacityThreads: 10_000,
  capacityDrainBudgetSeconds: 5,
  drainSizes: [100, 1_000],
  drainRepWakes: 1_000,
  drainWarmupSeconds: 0.02,
  drainBudgetSeconds: 2,
  nativeWarmupMs: 5,
};

/**
 * The method for a full run or a `--quick` one.
 *
 * @example
 * const m = methodFor(false); m.runs; // 3
 */
export function methodFor(quick: boolean): Method {
  return quick ? QUICK : FULL;
}
