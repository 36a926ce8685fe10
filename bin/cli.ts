#!/usr/bin/env node
/**
 * The `greenkernel` command: runs the deadlock-detection demos and the context-switch
 * benchmarks that ship with the package.
 *
 *   greenkernel demo [options] [name...]   run every demo, or those named
 *   greenkernel bench [options]            run the benchmark suites (see bench/README.md)
 *   greenkernel explore [options] FILE     explore a scenario's schedules, or replay one
 *   greenkernel fsck IMAGE                 check a gkfs image file
 *   greenkernel crashcheck [workload...]   the file system's crash-consistency checker
 *   greenkernel help                       every command and every flag (also --help, -h)
 *
 * Interface: runCli(argv) -> Promise<exit code>, helpText().
 * Invariants: the command comes first; its arguments are read by the command itself, strictly
 * (bin/entry.ts): an unknown command or flag is a usage error, exit 2, usage on stderr. Help is
 * made from the same Command objects that parse, so it lists every flag. Demos and benchmarks
 * are loaded only when asked for (help loads only their argument modules), so importing the
 * library never pays for them. The benchmarks run from an installed package: contenders whose
 * library is not installed (Effection, Effect) are skipped and named, with the command that
 * adds them.
 */
import { BENCH_COMMAND } from '../bench/args.ts';
import { DEMO_COMMAND } from '../demos/args.ts';
import { EXPLORE_COMMAND } from './explore-args.ts';
import { formatFlags, runAsProgram, type Command } from './entry.ts';
import { CRASHCHECK_COMMAND, FSCK_COMMAND } from './fs-args.ts';

// Backtraces in reports name .ts lines through source maps; modules loaded from here on
// (the demos and the library they import) register theirs.
process.setSourceMapsEnabled(true);

/** A sub-command's entry point: takes its arguments, resolves to an exit code. */
type Main = (argv: string[]) => Promise<number>;

interface Verb {
  readonly command: Command;
  /** The module whose `main` runs it, relative to this one, without extension. */
  readonly module: string;
}

const VERBS: Readonly<Record<string, Verb>> = {
  demo: { command: DEMO_COMMAND, module: '../demos/index' },
  bench: { command: BENCH_COMMAND, module: '../bench/index' },
  explore: { command: EXPLORE_COMMAND, module: './explore' },
  fsck: { command: FSCK_COMMAND, module: './fsck' },
  crashcheck: { command: CRASHCHECK_COMMAND, module: './crashcheck' },
};

const USAGE = `usage: greenkernel <command> [options]

commands:
  demo    ${DEMO_COMMAND.summary}
  bench   ${BENCH_COMMAND.summary}
  explore ${EXPLORE_COMMAND.summary}
  fsck    ${FSCK_COMMAND.summary}
  crashcheck  ${CRASHCHECK_COMMAND.summary}
  help    Shows this text: every command and every flag (also: --help, -h).`;

/**
 * The full help: the commands, then every flag of each.
 *
 * @example
 * console.log(helpText());
 */
export function helpText(): string {
  const sections = Object.values(VERBS).map(
    ({ command }) =>
      `${command.name} [options]${command.operands === undefined ? '' : ` ${command.operands}`}\n${formatFlags(command)}`,
  );
  return [USAGE, ...sections].join('\n\n');
}

/**
 * Runs the command line `argv` (without node and script) and resolves to the exit code.
 *
 * @example
 * process.exitCode = await runCli(['demo', 'ab-ba']);
 */
export async function runCli(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'help' || verb === '--help' || verb === '-h') {
    if (rest.length > 0) return usage(`help takes no arguments, got ${rest.join(' ')}`);
    console.log(helpText());
    return 0;
  }
  if (verb === undefined) return usage('no command given');
  const known = Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
  if (known === undefined)
    return usage(verb.startsWith('-') ? `unknown option '${verb}'` : `unknown command '${verb}'`);
  return (await loadMain(known.module))(rest);
}

function usage(message: string): number {
  console.error(`greenkernel: ${message}\n\n${USAGE}\n\nSee greenkernel help for every flag.`);
  return 2;
}

/** Imports a sibling entry point: `.js` when compiled, `.ts` when run from source under tsx. */
async function loadMain(base: string): Promise<Main> {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const module = (await import(new URL(base + extension, import.meta.url).href)) as { main: Main };
  return module.main;
}

runAsProgram(import.meta.url, runCli);
