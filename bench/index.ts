/**
 * greenkernel's benchmark suite: entry point of `npm run bench` and `greenkernel bench`.
 *
 * Interface: main(argv) -> Promise<exit code>, outputFiles(args); runs itself when executed
 * directly (`npx tsx bench/index.ts [--quick] [--suite NAME] [--out DIR | --save] [--quiet]
 * [--strict]`, see args.ts).
 * Exit codes: 0 every suite ran (goals may still FAIL: they are reported), 1 a suite failed,
 * 2 bad arguments, 3 with --strict when a goal failed.
 * Invariants:
 *  - every suite runs in a child process of its own (child.ts), one after the other, so
 *    contenders of one suite share a process and suites never share one;
 *  - ratios and goals use only figures of one suite process (results.ts, goals.ts);
 *  - a run writes its JSON and SVG chart to bench/out (ignored by git; --out DIR elsewhere):
 *    latest.json + chart.svg for a full run, quick.json + quick.svg for --quick,
 *    suite-NAME.json + suite-NAME.svg for one suite; only --save (a full run) writes the
 *    committed bench/results/latest.json + chart.svg, so following the README leaves a clone
 *    clean;
 *  - contenders whose library is not installed (an installed package has no Effection or
 *    Effect) are skipped, and the report names them with the command that adds them;
 *  - the capacity suite runs on node's default heap first; if it dies, it is retried once with
 *    an explicit --max-old-space-size, and the report says which one fitted.
 * No top-level await: the module is also imported by the CLI and by tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BENCH_COMMAND, parseBenchArgs, type BenchArgs } from './args.ts';
import { renderChart } from './chart.ts';
import { runSuiteInChild } from './child.ts';
import { runAsProgram, stop, usageError } from '../bin/entry.ts';
import { methodFor } from './method.ts';
import { missingNote } from './optional.ts';
import { RUNS_DIR, SAVED_DIR } from './paths.ts';
import { formatReport } from './report.ts';
import {
  assembleResults,
  type BenchResults,
  type CapacityOutcome,
  type SuiteStatus,
} from './results.ts';
import { spreadPct } from './stats.ts';
import { SUITES, suiteByName, type Suite } from './suites/index.ts';
import type { SuiteOutput } from './types.ts';

const RETRY_HEAP_MB = 8192;
// Run medians of one cell further apart than this mean the machine was busy during the run.
const NOISY_PCT = 30;

function timeoutMs(quick: boolean): number {
  return quick ? 120_000 : 900_000;
}

function heapFlagOf(argv: readonly string[]): number | null {
  for (const a of argv) {
    const m = /^--max-old-space-size=(\d+)$/.exec(a);
    if (m !== null) return Number(m[1]);
  }
  return null;
}

function runCapacity(
  suite: Suite,
  args: BenchArgs,
  log: (line: string) => void,
): { output: SuiteOutput | null; outcome: CapacityOutcome | null; error: string | null } {
  const attempts: CapacityOutcome['attempts'][number][] = [];
  const inherited = heapFlagOf(process.execArgv);
  const plans: (number | null)[] = inherited === null ? [null, RETRY_HEAP_MB] : [inherited];
  let lastError = '';
  for (const heap of plans) {
    const flags = heap === null || heap === inherited ? [] : [`--max-old-space-size=${heap}`];
    log(`capacity: ${heap === null ? "node's default heap" : `--max-old-space-size=${heap}`}`);
    const r = runSuiteInChild(suite, {
      quick: args.quick,
      quiet: args.quiet,
      extraNodeFlags: flags,
      timeoutMs: timeoutMs(args.quick),
    });
    if ('output' in r && r.output.capacity !== null) {
      const c = r.output.capacity;
      attempts.push({
        maxOldSpaceSizeMb: heap,
        ok: true,
        detail: `${c.verifiedBlocked} threads blocked`,
      });
      const outcome: CapacityOutcome = {
        ...c,
        fits: c.verifiedBlocked === c.threads,
        maxOldSpaceSizeMb: heap,
        attempts,
      };
      return { output: r.output, outcome, error: null };
    }
    lastError = 'error' in r ? r.error : 'no capacity figure';
    attempts.push({ maxOldSpaceSizeMb: heap, ok: false, detail: lastError });
  }
  const threads = methodFor(args.quick).capacityThreads;
  const outcome: CapacityOutcome = {
    threads,
    verifiedBlocked: 0,
    depth: 3,
    heapBeforeBytes: 0,
    heapUsedBytes: 0,
    heapLimitBytes: 0,
    rssBytes: 0,
    seconds: 0,
    drained: 0,
    drainSeconds: 0,
    drainComplete: false,
    drainBudgetSeconds: methodFor(args.quick).capacityDrainBudgetSeconds,
    fits: false,
    maxOldSpaceSizeMb: plans[plans.length - 1] ?? null,
    attempts,
  };
  return { output: null, outcome, error: lastError };
}

/**
 * Where a run's JSON and SVG chart go (see the module invariants).
 *
 * @example
 * outputFiles(parseBenchArgs(['--quick']) as BenchArgs); // { json: '<package>/bench/out/quick.json', svg: '.../quick.svg' }
 */
export function outputFiles(args: BenchArgs): { json: string; svg: string } {
  const dir = args.save ? SAVED_DIR : resolve(args.out ?? RUNS_DIR);
  if (args.quick) return { json: join(dir, 'quick.json'), svg: join(dir, 'quick.svg') };
  if (args.suite !== null)
    return {
      json: join(dir, `suite-${args.suite}.json`),
      svg: join(dir, `suite-${args.suite}.svg`),
    };
  return { json: join(dir, 'latest.json'), svg: join(dir, 'chart.svg') };
}

/**
 * Runs the benchmark suites and prints the report; resolves with the process exit code.
 *
 * @example
 * const code = await main(['--quick', '--out', '/tmp/bench']); // 0, writes /tmp/bench/quick.json
 */
export async function main(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if ('exit' in args) return stop(args);
  const selected =
    args.suite === null
      ? SUITES
      : [suiteByName(args.suite)].filter((s): s is Suite => s !== undefined);
  if (selected.length === 0)
    return stop(
      usageError(
        BENCH_COMMAND,
        `unknown suite ${args.suite}; known: ${SUITES.map((s) => s.name).join(', ')}`,
      ),
    );
  const log = (line: string): void => {
    if (!args.quiet) process.stderr.write(`${line}\n`);
  };
  const started = new Date();
  const method = methodFor(args.quick);
  const outputs: SuiteOutput[] = [];
  const statuses: SuiteStatus[] = [];
  let capacity: CapacityOutcome | null = null;
  for (const suite of selected) {
    log(`suite ${suite.name} (${suite.title})...`);
    const t0 = performance.now();
    let output: SuiteOutput | null = null;
    let error: string | null = null;
    if (suite.name === 'capacity') {
      const c = runCapacity(suite, args, log);
      output = c.output;
      capacity = c.outcome;
      error = c.error;
    } else {
      const r = runSuiteInChild(suite, {
        quick: args.quick,
        quiet: args.quiet,
        timeoutMs: timeoutMs(args.quick),
      });
      if ('output' in r) output = r.output;
      else error = r.error;
    }
    if (output !== null) outputs.push(output);
    const seconds = (performance.now() - t0) / 1000;
    statuses.push({
      name: suite.name,
      ok: error === null,
      seconds,
      error,
      notes: output?.notes ?? [],
    });
    log(
      `suite ${suite.name}: ${error === null ? 'done' : `FAILED (${error})`} in ${seconds.toFixed(1)} s`,
    );
  }
  const notes = statuses.flatMap((s) => s.notes);
  const missing = missingNote();
  if (missing !== null) notes.push(missing);
  const noisy = outputs
    .flatMap((o) => o.cells)
    .filter((c) => c.runMedians.length > 1 && spreadPct(c.runMedians) > NOISY_PCT);
  if (noisy.length > 0) {
    notes.push(
      `busy machine: ${noisy.length} cell(s) have run medians more than ${NOISY_PCT}% apart ` +
        `(${noisy.map((c) => `${c.workload}/${c.contender}`).join(', ')}); compare the per-run ratios of the goal lines`,
    );
  }
  const results: BenchResults = assembleResults(
    started,
    method,
    outputs,
    statuses,
    capacity,
    notes,
  );
  process.stdout.write(formatReport(results));
  const files = outputFiles(args);
  mkdirSync(dirname(files.json), { recursive: true });
  writeFileSync(files.json, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(files.svg, renderChart(results));
  process.stdout.write(`wrote ${files.json} and ${files.svg}\n`);
  if (statuses.some((s) => !s.ok)) return 1;
  if (args.strict && results.goals.some((g) => g.pass === false)) return 3;
  return 0;
}

runAsProgram(import.meta.url, main);
