/**
 * Runs one of the project's programs (the command line, the demos, the benchmarks) from source
 * in a child node process, the way a user's shell would, and collects what it printed.
 *
 * Interface: runProgram(script, args, options?) -> Promise<{ code, stdout, stderr }>, ROOT.
 * Invariants: the child is `node --import tsx SCRIPT ARGS...` (plus any `nodeArgs` before the
 * script), started in the repository root with stdin closed; it is killed after `timeoutMs`.
 * Not a test file: the ava glob only matches *.test.ts.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ProgramRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ProgramOptions {
  /** node options placed before the script, after `--import tsx`. */
  readonly nodeArgs?: readonly string[];
  readonly timeoutMs?: number;
}

/**
 * Runs `node --import tsx SCRIPT ...args` in the repository root.
 *
 * @example
 * const { code, stderr } = await runProgram('bin/cli.ts', ['demo', '--bogus']); // code 2
 */
export function runProgram(
  script: string,
  args: readonly string[],
  options: ProgramOptions = {},
): Promise<ProgramRun> {
  const argv = ['--import', 'tsx', ...(options.nodeArgs ?? []), script, ...args];
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      argv,
      {
        cwd: ROOT,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}
