/**
 * Exploring a scenario under many schedules: random, PCT and bounded-preemption DFS; replaying
 * a schedule; shrinking a failing one.
 *
 * Interface: explore(scenario, options) -> ExploreResult, replay(scenario, schedule, options),
 * shrink(scenario, failing, options), ExploreOptions, ExploreFailure, ExploreResult.
 * Invariants: run i of a random or PCT exploration uses seed `seed + i`, so its schedule string
 * alone replays it; every failure carries that string and its decision list, and the shrunk
 * list fails with the same kind; DFS enumerates each decision list with at most `preemptions`
 * non-FIFO decisions once, and says when it has seen them all; everything is bounded (runs,
 * steps per run, shrink attempts, distinct schedules remembered).
 */
import { InvalidArgumentError } from '../index.ts';
import {
  DEFAULT_RUN_STEPS,
  runScenario,
  type FailureKind,
  type RunOptions,
  type RunRecord,
  type Scenario,
} from './run.ts';
import {
  MAX_PCT_DEPTH,
  chooserFor,
  formatDecisions,
  formatSchedule,
  parseSchedule,
  type Chooser,
  type Schedule,
} from './schedule.ts';

/** Schedules remembered to count distinct ones (beyond: counted as distinct). */
export const MAX_REMEMBERED_SCHEDULES = 100_000;
/** Runs one shrink may spend. */
export const MAX_SHRINK_RUNS = 500;
/** Most runs one exploration may be asked for. */
export const MAX_RUNS = 10_000_000;

export type StrategyName = 'random' | 'pct' | 'dfs';

export interface ExploreOptions extends RunOptions {
  /** Runs (schedules tried); default 1000. */
  readonly runs?: number;
  /** Default 'random'. */
  readonly strategy?: StrategyName;
  /** First seed (random, PCT); default 0. */
  readonly seed?: number;
  /** random: probability of a preemption at each point with a choice; default 0.25. */
  readonly p?: number;
  /** PCT: bug depth d (d-1 priority change points); default 2. */
  readonly depth?: number;
  /** DFS: most non-FIFO decisions per schedule; default 2. */
  readonly preemptions?: number;
  /** Stop at the first failure (default true). */
  readonly stopAtFirst?: boolean;
  /** Shrink each failure (default true). */
  readonly shrink?: boolean;
  /** Called after each run (a progress bar). */
  readonly onRun?: (done: number, total: number, failures: number) => void;
}

export interface ExploreFailure {
  readonly kind: FailureKind;
  readonly message: string;
  readonly error: unknown;
  /** 1-based number of the run that failed. */
  readonly run: number;
  /** The schedule that failed: strategy and seed, or a decision list (DFS). */
  readonly schedule: string;
  /** The same run as a decision list. */
  readonly decisions: string;
  readonly steps: number;
  readonly preemptions: number;
  /** A shorter failing decision list, with its steps and preemptions (when shrunk). */
  readonly shrunk: {
    readonly schedule: string;
    readonly steps: number;
    readonly preemptions: number;
  } | null;
}

export interface ExploreResult {
  readonly strategy: StrategyName;
  readonly runs: number;
  readonly distinct: number;
  readonly failures: ExploreFailure[];
  /** Time spent exploring (shrinking excluded). */
  readonly elapsedMs: number;
  readonly runsPerSecond: number;
  /** DFS only: every schedule within the bound was run. */
  readonly exhausted: boolean;
}

/**
 * Runs `scenario` under `runs` schedules of `strategy`; returns the failures found, each with a
 * schedule that replays it.
 *
 * @example
 * const result = explore(bank, { runs: 500, strategy: 'pct' });
 * if (result.failures.length > 0) console.log(result.failures[0].schedule);
 */
export function explore(scenario: Scenario, options: ExploreOptions = {}): ExploreResult {
  const runs = options.runs ?? 1000;
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS)
    throw new InvalidArgumentError(`runs must be an integer in [1, ${MAX_RUNS}], got ${runs}`);
  const strategy = options.strategy ?? 'random';
  if (strategy !== 'random' && strategy !== 'pct' && strategy !== 'dfs')
    throw new InvalidArgumentError(`strategy must be random, pct or dfs, got ${String(strategy)}`);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`seed must be a safe integer`);
  const p = options.p ?? 0.25;
  if (!(p >= 0 && p <= 1)) throw new InvalidArgumentError(`p must be in [0, 1], got ${p}`);
  const depth = options.depth ?? 2;
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_PCT_DEPTH)
    throw new InvalidArgumentError(`depth must be an integer in [1, ${MAX_PCT_DEPTH}]`);
  const bound = options.preemptions ?? 2;
  if (!Number.isInteger(bound) || bound < 0)
    throw new InvalidArgumentError(`preemptions must be an integer >= 0`);
  const stopAtFirst = options.stopAtFirst ?? true;
  const start = performance.now();
  const seen = new Set<string>();
  let distinct = 0;
  const failures: ExploreFailure[] = [];
  // PCT spreads its change points over the steps of a run: measured once, on the FIFO schedule.
  const k =
    strategy === 'pct'
      ? Math.max(
          1,
          runScenario(scenario, chooserFor({ kind: 'list', decisions: [] }), options).steps,
        )
      : 0;
  let prefix: number[] = [];
  let exhausted = false;
  let done = 0;
  let shrinkMs = 0; // not exploring: kept out of runs per second
  while (done < runs) {
    let schedule: Schedule;
    if (strategy === 'random') schedule = { kind: 'random', p, seed: seed + done };
    else if (strategy === 'pct') schedule = { kind: 'pct', d: depth, k, seed: seed + done };
    else schedule = { kind: 'list', decisions: prefix };
    const run = runScenario(scenario, chooserFor(schedule), options);
    done++;
    const key = formatDecisions(run.decisions);
    if (seen.size < MAX_REMEMBERED_SCHEDULES) {
      if (!seen.has(key)) {
        seen.add(key);
        distinct++;
      }
    } else distinct++;
    if (run.failure !== null) {
      const shrinkStart = performance.now();
      failures.push(failureOf(scenario, run, done, formatSchedule(schedule), options));
      shrinkMs += performance.now() - shrinkStart;
    }
    options.onRun?.(done, runs, failures.length);
    if (failures.length > 0 && stopAtFirst) break;
    if (strategy === 'dfs') {
      const next = nextPrefix(run, bound);
      if (next === null) {
        exhausted = true;
        break;
      }
      prefix = next;
    }
  }
  const elapsedMs = performance.now() - start - shrinkMs;
  return {
    strategy,
    runs: done,
    distinct,
    failures,
    elapsedMs,
    runsPerSecond: elapsedMs > 0 ? (done * 1000) / elapsedMs : done,
    exhausted,
  };
}

function failureOf(
  scenario: Scenario,
  run: RunRecord,
  number: number,
  schedule: string,
  options: ExploreOptions,
): ExploreFailure {
  const failure = run.failure!;
  const shrunk = options.shrink === false ? null : shrink(scenario, run, options);
  return {
    kind: failure.kind,
    message: failure.error instanceof Error ? failure.error.message : String(failure.error),
    error: failure.error,
    run: number,
    schedule,
    decisions: `list:${formatDecisions(run.decisions)}`,
    steps: run.steps,
    preemptions: run.preemptions,
    shrunk,
  };
}

/**
 * DFS: the next decision prefix after `run`, with at most `bound` non-zero decisions, or null
 * when every schedule within the bound was run. The deepest point that has an untried sibling
 * changes; everything after it starts again from FIFO.
 */
function nextPrefix(run: RunRecord, bound: number): number[] | null {
  const { decisions, widths } = run;
  let used = 0;
  for (const d of decisions) if (d !== 0) used++;
  for (let j = decisions.length - 1; j >= 0; j--) {
    const d = decisions[j]!;
    if (d !== 0) used--;
    // Preemptions before j, plus this one (non-zero after the change).
    if (d + 1 < widths[j]! && used + 1 <= bound) {
      const next = decisions.slice(0, j);
      next.push(d + 1);
      return next;
    }
  }
  return null;
}

/**
 * Runs `schedule` (a string from explore, the CLI or exploreTest) once; the same failure, steps
 * and trace as the run it was recorded from.
 *
 * @example
 * replay(bank, 'list:2x0,1').failure?.kind; // 'invariant'
 */
export function replay(scenario: Scenario, schedule: string, options: RunOptions = {}): RunRecord {
  return runScenario(scenario, chooserFor(parseSchedule(schedule)), options);
}

/**
 * A shorter failing schedule for a failed run: tries dropping each preemption (and lowering
 * each non-zero decision), then every schedule with a single preemption; keeps a change when
 * the run still fails with the same kind and has fewer preemptions, or as many and fewer
 * steps. Bounded by MAX_SHRINK_RUNS runs.
 *
 * @example
 * shrink(bank, failedRun).schedule; // 'list:4x0,1'
 */
export function shrink(
  scenario: Scenario,
  failed: RunRecord,
  options: RunOptions = {},
): { schedule: string; steps: number; preemptions: number } {
  const kind = failed.failure?.kind;
  if (kind === undefined) throw new InvalidArgumentError('shrink: the run did not fail');
  let best = {
    decisions: failed.decisions.slice(),
    steps: failed.steps,
    preemptions: failed.preemptions,
  };
  let budget = MAX_SHRINK_RUNS;
  const attempt = (decisions: number[]): boolean => {
    budget--;
    const run = runScenario(scenario, lenientList(decisions), options);
    if (run.failure === null || run.failure.kind !== kind) return false;
    const better =
      run.preemptions < best.preemptions ||
      (run.preemptions === best.preemptions && run.steps < best.steps);
    if (!better) return false;
    best = { decisions: run.decisions, steps: run.steps, preemptions: run.preemptions };
    return true;
  };
  let changed = true;
  while (changed && budget > 0) {
    changed = false;
    const current = best.decisions;
    for (let j = current.length - 1; j >= 0 && budget > 0 && !changed; j--) {
      const d = current[j]!;
      if (d === 0) continue;
      for (const v of d > 1 ? [0, d - 1] : [0]) {
        const candidate = current.slice();
        candidate[j] = v;
        if (attempt(candidate)) {
          changed = true;
          break;
        }
      }
    }
  }
  // Dropping one preemption at a time can get stuck (each alone is needed once the others
  // moved the threads on): try every schedule with a single preemption, earliest first.
  if (best.preemptions > 1) {
    const widths = failed.widths;
    for (let j = 0; j < widths.length && budget > 0 && best.preemptions > 1; j++) {
      for (let v = 1; v < widths[j]! && budget > 0; v++) {
        const candidate = new Array<number>(j + 1).fill(0);
        candidate[j] = v;
        if (attempt(candidate)) break;
      }
    }
  }
  return {
    schedule: `list:${formatDecisions(best.decisions)}`,
    steps: best.steps,
    preemptions: best.preemptions,
  };
}

function lenientList(decisions: readonly number[]): Chooser {
  return chooserFor({ kind: 'list', decisions }, true);
}

export { DEFAULT_RUN_STEPS };
