/**
 * Child-process entry: runs one suite and writes its SuiteOutput as JSON to a file.
 *
 * Interface: node [execArgv] run-suite.(ts|js) --suite NAME --out FILE [--quick]
 *   exit 0 after writing FILE; exit 1 (message on stderr) when the suite fails; exit 2 on bad
 *   arguments. Progress lines go to stderr, so a parent's stdout stays the report.
 * Invariant: runs only when executed directly; importing it (child.ts does, to find its path)
 * has no effect.
 */
import { writeFileSync } from 'node:fs';
import { parseCommand, runAsProgram, stop, usageError, type Command } from '../bin/entry.ts';
import { methodFor } from './method.ts';
import { suiteByName } from './suites/index.ts';

const RUN_SUITE_COMMAND = {
  name: 'run-suite',
  summary:
    'Runs one benchmark suite in this process and writes its output as JSON (the parent, bench/index.ts, starts it).',
  flags: {
    suite: { type: 'string', value: 'NAME', help: 'the suite to run' },
    out: { type: 'string', value: 'FILE', help: 'where to write its output' },
    quick: { type: 'boolean', help: 'tiny counts' },
  },
} as const satisfies Command;

/** Where this module is: the parent spawns it by this path (.ts under tsx, .js compiled). */
export const RUN_SUITE_URL: string = import.meta.url;

/**
 * Runs the suite named in `argv` and writes its output file; resolves with the exit code.
 *
 * @example
 * await runSuiteMain(['--suite', 'yield', '--out', '/tmp/yield.json', '--quick']); // 0
 */
export async function runSuiteMain(argv: readonly string[]): Promise<number> {
  const parsed = parseCommand(RUN_SUITE_COMMAND, argv);
  if ('exit' in parsed) return stop(parsed);
  const { suite: name, out, quick } = parsed.values;
  const suite = name === undefined ? undefined : suiteByName(name);
  if (suite === undefined || out === undefined)
    return stop(usageError(RUN_SUITE_COMMAND, 'need --suite NAME (a known suite) and --out FILE'));
  const output = await suite.run(methodFor(quick === true), (line) =>
    process.stderr.write(`${line}\n`),
  );
  writeFileSync(out, JSON.stringify(output));
  return 0;
}

runAsProgram(import.meta.url, runSuiteMain);
