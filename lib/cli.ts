#!/usr/bin/env node
/**
 * The `greenkernel` command: runs the deadlock-detection demos and the context-switch
 * benchmarks that ship with the package.
 *
 *   greenkernel demo [name]      run every demo, or one by name
 *   greenkernel bench [options]  run the benchmark suites (see bench/README.md)
 *   greenkernel help
 *
 * Demos and benchmarks are loaded only when asked for, so importing the library never pays
 * for them. The benchmarks compare against other libraries (Effection, Effect) that are
 * development dependencies: in an installed package they are skipped with a note.
 */
import { runAsProgram } from './entry.ts';

// Backtraces in reports name .ts lines through source maps; modules loaded from here on
// (the demos and the library they import) register theirs.
process.setSourceMapsEnabled(true);

const USAGE = `usage: greenkernel <command> [args]

commands:
  demo [name]       run the deadlock-detection demos (all, or one by name)
  bench [options]   measure context-switch cost and bytes per thread (see bench/README.md)
  help              show this text`;

/** A sub-command's entry point: takes its arguments, resolves to an exit code. */
type Main = (argv: string[]) => Promise<number>;

/**
 * Runs the command line `argv` (without node and script) and resolves to the exit code.
 *
 * @example
 * process.exitCode = await runCli(['demo', 'ab-ba']);
 */
export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo':
      return (await loadMain('../demos/index'))(rest);
    case 'bench':
      return runBench(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`greenkernel: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

/**
 * The benchmarks compare against libraries that are development dependencies (benchmark.js,
 * Effection, Effect), so an installed package cannot run them: say so instead of a stack trace.
 */
async function runBench(argv: string[]): Promise<number> {
  let main: Main;
  try {
    main = await loadMain('../bench/index');
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    console.error(
      'greenkernel bench needs the development dependencies (benchmark, effection, effect).\n' +
        'Run it from a clone of the repository: npm ci && npm run bench\n' +
        `(${(error as Error).message})`,
    );
    return 2;
  }
  return main(argv);
}

/** Imports a sibling entry point: `.js` when compiled, `.ts` when run from source under tsx. */
async function loadMain(base: string): Promise<Main> {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const module = (await import(new URL(base + extension, import.meta.url).href)) as { main: Main };
  return module.main;
}

runAsProgram(import.meta.url, runCli);
