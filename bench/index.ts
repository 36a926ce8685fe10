/**
 * greenkernel's benchmark suite: entry point of `npm run bench` and `greenkernel bench`.
 *
 * Interface: main(argv) -> Promise<exit code>; runs itself when executed directly
 * (`npx tsx bench/index.ts [--quick] [--suite NAME] [--json DIR] [--quiet] [--strict]`).
 * Exit codes: 0 every suite ran (goals may still FAIL: they are reported), 1 a suite failed,
 * 2 bad arguments, 3 with --strict when a goal failed.
 * Invariants:
 *  - every suite runs in a child process of its own (child.ts), one after the other, so
 *    contenders of one suite share a process and suites never share one;
 *  - ratios and goals use only figures of one suite process (results.ts, goals.ts);
 *  - a full run of every suite writes DIR/latest.json and DIR/chart.svg; a --quick run writes
 *    quick.json and quick.svg, a single suite suite-NAME.json and suite-NAME.svg, so neither
 *    overwrites the committed results;
 *  - the capacity suite runs on node's default heap first; if it dies, it is retried once with
 *    an explicit --max-old-space-size, and the report says which one fitted.
 * No top-level await: the module is also imported by the CLI and by tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { USAGE, parseArgs, type BenchArgs } from './args.ts';
import { renderChart } from './chart.ts';
import { runSuiteInChild } from './child.ts';
import { runAsProgram } from '../lib/entry.ts';
import { methodFor } from './method.ts';
import { formatReport } from './report.ts';
import { assembleResults, type BenchResults, type CapacityOutcome, type SuiteStatus } from './results.ts';
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

function runCapacity(suite: Suite, args: BenchArgs, log: (line: string) => void): { output: SuiteOutput | null; outcome: CapacityOutcome | null; error: string | null } {
  const attempts: CapacityOutcome['attempts'][number][] = [];
  const inherited = heapFlagOf(process.execArgv);
  const plans: (number | null)[] = inherited === null ? [null, RETRY_HEAP_MB] : [inherited];
  let lastError = '';
  for (const heap of plans) {
    const flags = heap === null || heap === inherited ? [] : [`--max-old-space-size=${heap}`];
    log(`capacity: ${heap === null ? "node's default heap" : `--max-old-space-size=${heap}`}`);
    const r = runSuiteInChild(suite, { quick: args.quick, quiet: args.quiet, extraNodeFlags: flags, timeoutMs: timeoutMs(args.quick) });
    if ('output' in r && r.output.capacity !== null) {
      const c = r.output.capacity;
      attempts.push({ maxOldSpaceSizeMb: heap, ok: true, detail: `${c.verifiedBlocked} threads blocked` });
      const outcome: CapacityOutcome = { ...c, fits: c.verifiedBlocked === c.threads, maxOldSpaceSizeMb: heap, attempts };
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

function outputNames(args: BenchArgs): { json: string; svg: string } {
  if (args.quick) return { json: 'quick.json', svg: 'quick.svg' };
  if (args.suite !== null) return { json: `suite-${args.suite}.json`, svg: `suite-${args.suite}.svg` };
  return { json: 'latest.json', svg: 'chart.svg' };
}

/**
 * Runs the benchmark suites and prints the report; resolves with the process exit code.
 *
 * @example
 * const code = await main(['--quick', '--json', '/tmp/bench']); // 0, writes /tmp/bench/quick.json
 */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if ('error' in parsed) {
    process.stderr.write(`bench: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const args = parsed;
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const selected = args.suite === null ? SUITES : [suiteByName(args.suite)].filter((s): s is Suite => s !== undefined);
  if (selected.length === 0) {
    process.stderr.write(`bench: unknown suite ${args.suite}; known: ${SUITES.map((s) => s.name).join(', ')}\n`);
    return 2;
  }
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
      const r = runSuiteInChild(suite, { quick: args.quick, quiet: args.quiet, timeoutMs: timeoutMs(args.quick) });
      if ('output' in r) output = r.output;
      else error = r.error;
    }
    if (output !== null) outputs.push(output);
    const seconds = (performance.now() - t0) / 1000;
    statuses.push({ name: suite.name, ok: error === null, seconds, error, notes: output?.notes ?? [] });
    log(`suite ${suite.name}: ${error === null ? 'done' : `FAILED (${error})`} in ${seconds.toFixed(1)} s`);
  }
  const notes = statuses.flatMap((s) => s.notes);
  const noisy = outputs.flatMap((o) => o.cells).filter((c) => c.runMedians.length > 1 && spreadPct(c.runMedians) > NOISY_PCT);
  if (noisy.length > 0) {
    notes.push(
      `busy machine: ${noisy.length} cell(s) have run medians more than ${NOISY_PCT}% apart ` +
        `(${noisy.map((c) => `${c.workload}/${c.contender}`).join(', ')}); compare the per-run ratios of the goal lines`,
    );
  }
  const results: BenchResults = assembleResults(started, method, outputs, statuses, capacity, notes);
  process.stdout.write(formatReport(results));
  const dir = resolve(args.jsonDir ?? join('bench', 'results'));
  mkdirSync(dir, { recursive: true });
  const names = outputNames(args);
  writeFileSync(join(dir, names.json), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(dir, names.svg), renderChart(results));
  process.stdout.write(`wrote ${join(dir, names.json)} and ${join(dir, names.svg)}\n`);
  if (statuses.some((s) => !s.ok)) return 1;
  if (args.strict && results.goals.some((g) => g.pass === false)) return 3;
  return 0;
}

runAsProgram(import.meta.url, main);
