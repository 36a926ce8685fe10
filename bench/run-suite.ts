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
import { runAsProgram } from '../lib/entry.ts';
import { methodFor } from './method.ts';
import { suiteByName } from './suites/index.ts';

/** Where this module is: the parent spawns it by this path (.ts under tsx, .js compiled). */
export const RUN_SUITE_URL: string = import.meta.url;

/**
 * Runs the suite named in `argv` and writes its output file; resolves with the exit code.
 *
 * @example
 * await runSuiteMain(['--suite', 'yield', '--out', '/tmp/yield.json', '--quick']); // 0
 */
export async function runSuiteMain(argv: readonly string[]): Promise<number> {
  let name: string | undefined;
  let out: string | undefined;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--suite') name = argv[++i];
    else if (a === '--out') out = argv[++i];
    else if (a === '--quick') quick = true;
    else {
      process.stderr.write(`run-suite: unknown argument ${a}\n`);
      return 2;
    }
  }
  const suite = name === undefined ? undefined : suiteByName(name);
  if (suite === undefined || out === undefined) {
    process.stderr.write(`run-suite: need --suite NAME (a known suite) and --out FILE\n`);
    return 2;
  }
  const output = await suite.run(methodFor(quick), (line) => process.stderr.write(`${line}\n`));
  writeFileSync(out, JSON.stringify(output));
  return 0;
}

runAsProgram(import.meta.url, runSuiteMain);
