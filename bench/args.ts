/**
 * Command-line options of `npm run bench` / `greenkernel bench`.
 *
 * Interface: BENCH_COMMAND, parseBenchArgs(argv) -> BenchArgs | Stop.
 * Invariants: parsed by bin/entry.ts (strict: unknown options, missing values and operands are
 * usage errors, exit 2); `--save` writes the committed results, so it takes a full run of every
 * suite (not --quick, not --suite) and decides the place itself (not with --out); `--suite`
 * names are checked by the caller against the suite registry. Loads nothing but bin/entry.ts,
 * so `greenkernel help` stays cheap.
 */
import { parseCommand, usageError, type Command, type Stop } from '../bin/entry.ts';

export interface BenchArgs {
  readonly quick: boolean;
  readonly suite: string | null;
  /** Where this run's JSON and SVG go; null: the default, bench/out in the package. */
  readonly out: string | null;
  /** Write bench/results/latest.json and chart.svg, the committed results. */
  readonly save: boolean;
  readonly quiet: boolean;
  readonly strict: boolean;
}

/** `greenkernel bench`. */
export const BENCH_COMMAND = {
  name: 'greenkernel bench',
  summary:
    'Measures context-switch cost and bytes per thread against raw generators, async/await, Effection, Effect and C.',
  flags: {
    quick: {
      type: 'boolean',
      help: 'tiny counts: a smoke test of the harness (CI), not a measurement',
    },
    suite: {
      type: 'string',
      value: 'NAME',
      help: 'run one suite (yield, handoff, roundrobin, spawn, memory, capacity, drain, cache)',
    },
    out: {
      type: 'string',
      value: 'DIR',
      help: "write this run's JSON and SVG chart to DIR (default: bench/out in the package, ignored by git)",
    },
    save: {
      type: 'boolean',
      help: 'a full run only: update the committed bench/results/latest.json and chart.svg',
    },
    quiet: { type: 'boolean', help: 'no progress lines from the suites (stderr)' },
    strict: { type: 'boolean', help: 'exit 3 when a goal fails' },
  },
} as const satisfies Command;

/**
 * Parses the options; a Stop for help or for anything wrong.
 *
 * @example
 * parseBenchArgs(['--quick', '--suite', 'yield']); // { quick: true, suite: 'yield', out: null, save: false, ... }
 */
export function parseBenchArgs(argv: readonly string[]): BenchArgs | Stop {
  const parsed = parseCommand(BENCH_COMMAND, argv);
  if ('exit' in parsed) return parsed;
  const v = parsed.values;
  const args: BenchArgs = {
    quick: v.quick === true,
    suite: v.suite ?? null,
    out: v.out ?? null,
    save: v.save === true,
    quiet: v.quiet === true,
    strict: v.strict === true,
  };
  if (args.save && (args.quick || args.suite !== null))
    return usageError(
      BENCH_COMMAND,
      '--save writes the committed results: it takes a full run of every suite (no --quick, no --suite)',
    );
  if (args.save && args.out !== null)
    return usageError(BENCH_COMMAND, '--save and --out both choose where results go: give one');
  return args;
}
