/**
 * Program entry points: the command line, the demos and the benchmarks each run as a program
 * when node is asked to run their file, and stay plain modules when imported; and the one way
 * they all read their arguments.
 *
 * Interface: isEntryPoint(import.meta.url), runAsProgram(import.meta.url, main);
 * Flag, Command, parseCommand(command, argv) -> { values, operands } | Stop, usageError(command,
 * message) -> Stop, formatUsage(command), formatFlags(command), stop(result) -> exit code.
 * Invariants:
 *  - paths are compared after resolving symlinks, so an npm bin in node_modules/.bin, a `.ts`
 *    file under tsx and its compiled `.js` twin are all recognised; when node runs no script (a
 *    REPL), nothing is an entry point;
 *  - arguments are read by node:util.parseArgs in strict mode: an unknown flag, a missing value,
 *    a value given to a boolean flag, or an operand where the command takes none is a usage error
 *    (exit 2, the message and the usage on stderr); every command has -h/--help (usage on
 *    stdout, exit 0);
 *  - the usage text is made from the same Command that parses, so help lists every flag.
 * Internal: not exported from the package index.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

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
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}

// ---------------------------------------------------------------- arguments

/** One flag of a command: how parseArgs reads it and what help says about it. */
export interface Flag {
  readonly type: 'boolean' | 'string';
  readonly short?: string;
  /** A string flag's value as help shows it, e.g. 'FILE'. */
  readonly value?: string;
  readonly help: string;
}

/** A command as typed (`greenkernel demo`), what it does, its operands and its flags. */
export interface Command<
  F extends Readonly<Record<string, Flag>> = Readonly<Record<string, Flag>>,
> {
  readonly name: string;
  readonly summary: string;
  /** Operands as help shows them, e.g. '[name...]'; absent when the command takes none. */
  readonly operands?: string;
  /** Every flag but -h/--help, which every command has. */
  readonly flags: F;
}

/** The flags given: a string flag's value, true for a boolean flag, absent when not given. */
export type FlagValues<F extends Readonly<Record<string, Flag>>> = {
  -readonly [K in keyof F]?: F[K]['type'] extends 'string' ? string : boolean;
};

/** Parsed arguments. */
export interface Parsed<F extends Readonly<Record<string, Flag>>> {
  readonly values: FlagValues<F>;
  readonly operands: string[];
}

/** The program should stop: help was asked for (exit 0) or the arguments are wrong (exit 2). */
export interface Stop {
  readonly exit: 0 | 2;
  /** The usage (exit 0, for stdout) or the error and the usage (exit 2, for stderr). */
  readonly text: string;
}

const HELP: Flag = { type: 'boolean', short: 'h', help: 'show this help and exit' };

/**
 * Reads `argv` (no node, no script) the way `command` says; refuses what it does not know.
 *
 * @example
 * const parsed = parseCommand(DEMO_COMMAND, ['ab-ba', '--json', '-']);
 * if ('exit' in parsed) return stop(parsed); // help, or a usage error
 * parsed.values.json; // '-'
 */
export function parseCommand<F extends Readonly<Record<string, Flag>>>(
  command: Command<F>,
  argv: readonly string[],
): Parsed<F> | Stop {
  const options = Object.fromEntries(
    Object.entries({ ...command.flags, help: HELP }).map(([name, f]) => [
      name,
      { type: f.type, ...(f.short !== undefined ? { short: f.short } : {}) },
    ]),
  );
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: command.operands !== undefined,
    });
  } catch (error) {
    return usageError(command, parseError(error));
  }
  if (parsed.values.help === true) return { exit: 0, text: formatUsage(command) };
  const { help: _help, ...values } = parsed.values;
  return { values: values as FlagValues<F>, operands: parsed.positionals };
}

/** parseArgs' message, without its hint about `--` for an unknown option (it is a typo, mostly). */
function parseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']*)'/.exec(message);
  return unknown === null ? message : `unknown option '${unknown[1]}'`;
}

/**
 * A usage error of `command`: the message, then the usage.
 *
 * @example
 * if (json === '-' && dot === '-') return stop(usageError(DEMO_COMMAND, 'only one of --json and --dot can write to stdout'));
 */
export function usageError(command: Command, message: string): Stop {
  return { exit: 2, text: `${command.name}: ${message}\n\n${formatUsage(command)}` };
}

/**
 * Prints a Stop where it belongs (help on stdout, an error on stderr); returns its exit code.
 *
 * @example
 * if ('exit' in parsed) return stop(parsed);
 */
export function stop(result: Stop): number {
  (result.exit === 0 ? process.stdout : process.stderr).write(`${result.text}\n`);
  return result.exit;
}

/**
 * The usage line of `command` (`usage: NAME [options] OPERANDS`), its summary and its flags.
 *
 * @example
 * console.log(formatUsage(BENCH_COMMAND));
 */
export function formatUsage(command: Command): string {
  const operands = command.operands === undefined ? '' : ` ${command.operands}`;
  return `usage: ${command.name} [options]${operands}\n\n${command.summary}\n\noptions:\n${formatFlags(command)}`;
}

/**
 * One line per flag of `command`, -h/--help last, descriptions aligned.
 *
 * @example
 * formatFlags(DEMO_COMMAND); // '  --list       list the demos and exit\n  ...'
 */
export function formatFlags(command: Command): string {
  const rows = Object.entries({ ...command.flags, help: HELP }).map(([name, f]) => {
    const value = f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : '';
    return [`${f.short !== undefined ? `-${f.short}, ` : ''}--${name}${value}`, f.help] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`).join('\n');
}
