/**
 * Program entry points: the command line, the demos and the benchmarks each run as a program
 * when node is asked to run their file, and stay plain modules when imported.
 *
 * Interface: isEntryPoint(import.meta.url), runAsProgram(import.meta.url, main).
 * Invariant: paths are compared after resolving symlinks, so an npm bin in node_modules/.bin,
 * a `.ts` file under tsx and its compiled `.js` twin are all recognised; when node runs no
 * script (a REPL), nothing is an entry point. Internal: not exported from the package index.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * True when the module at `moduleUrl` is the script node was started with.
 *
 * @example
 * if (isEntryPoint(import.meta.url)) runAlone(demo);
 */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  return real(script) === real(fileURLToPath(moduleUrl));
}

/**
 * If `moduleUrl` is the entry point, runs `main` with the command-line arguments and sets the
 * process exit code from its result (1 and the error on stderr if it throws).
 *
 * @example
 * runAsProgram(import.meta.url, main);
 */
export function runAsProgram(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  if (!isEntryPoint(moduleUrl)) return;
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
