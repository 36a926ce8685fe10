/**
 * Command-line options of `npm run bench` / `greenkernel bench`.
 *
 * Interface: parseArgs(argv) -> BenchArgs | { error }, USAGE.
 * Invariants: unknown options and missing values are errors (never ignored); `--json` defaults
 * to bench/results (resolved by the caller); `--suite` names are checked by the caller against
 * the suite registry.
 */

export interface BenchArgs {
  readonly quick: boolean;
  readonly suite: string | null;
  readonly jsonDir: string | null;
  readonly quiet: boolean;
  readonly strict: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: bench [--quick] [--suite NAME] [--json DIR] [--quiet] [--strict]
  --quick       tiny counts (smoke test, CI); writes quick.json / quick.svg, not latest.json
  --suite NAME  run one suite: yield, handoff, roundrobin, spawn, memory, capacity, drain
  --json DIR    where to write the JSON and the SVG chart (default bench/results)
  --quiet       no progress lines from the suites (stderr)
  --strict      exit 3 when a goal fails
`;

/**
 * Parses the options; returns an error message for anything it does not understand.
 *
 * @example
 * parseArgs(['--quick', '--suite', 'yield']); // { quick: true, suite: 'yield', ... }
 */
export function parseArgs(argv: readonly string[]): BenchArgs | { error: string } {
  let quick = false;
  let suite: string | null = null;
  let jsonDir: string | null = null;
  let quiet = false;
  let strict = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--quiet') quiet = true;
    else if (a === '--strict') strict = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a === '--suite' || a === '--json') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) return { error: `${a} needs a value` };
      if (a === '--suite') suite = v;
      else jsonDir = v;
    } else if (a.startsWith('--suite=')) suite = a.slice('--suite='.length);
    else if (a.startsWith('--json=')) jsonDir = a.slice('--json='.length);
    else return { error: `unknown option ${a}` };
  }
  return { quick, suite, jsonDir, quiet, strict, help };
}
