/**
 * Shared plumbing of the demos: options, output, and running a demo as its own program.
 *
 * Interface: `Demo` (name, title, run), `DemoOptions`, `DemoResult`, `Printer`, `showReport`,
 * `runAlone(import.meta.url, demo)`.
 * Every demo builds its scenario, runs it, prints what happened and its report(s), and returns
 * `expected: true` when the scenario behaved as the demo says it does (so `npm run demo`
 * exits non-zero if a demo stops demonstrating its point). No top-level await: demos work as
 * .ts under tsx and as compiled .js.
 */
import { isEntryPoint } from '../lib/entry.ts';
import { formatReport, reportToDot, type Report } from '../lib/index.ts';

export interface DemoOptions {
  /** Also print each report's wait-for graph as Graphviz DOT. */
  dot?: boolean;
  /** Also print each report as JSON. */
  json?: boolean;
  /** Where lines go. Default: collected only (run() returns them). */
  write?: (line: string) => void;
}

export interface DemoResult {
  readonly name: string;
  /** The scenario did what the demo claims. */
  readonly expected: boolean;
  /** Every report made (deadlock, stall, lock order), in order. */
  readonly reports: readonly Report[];
  /** Everything printed. */
  readonly output: string;
}

export interface Demo {
  readonly name: string;
  readonly title: string;
  run(options?: DemoOptions): Promise<DemoResult>;
}

/** Collects a demo's output, echoing it to `options.write`. */
export class Printer {
  private readonly lines: string[] = [];
  readonly reports: Report[] = [];
  constructor(private readonly options: DemoOptions) {}

  /**
   * @example
   * out.line('== part 1: the naive dispatcher');
   */
  line(text = ''): void {
    for (const l of text.split('\n')) {
      this.lines.push(l);
      this.options.write?.(l);
    }
  }

  /**
   * Prints a report (text; DOT and JSON on request) and keeps it.
   *
   * @example
   * out.report(error.report);
   */
  report(r: Report): void {
    this.reports.push(r);
    this.line(indent(formatReport(r)));
    if (this.options.dot === true) this.line(indent(reportToDot(r)));
    if (this.options.json === true) this.line(indent(JSON.stringify(r, null, 2)));
  }

  /**
   * The demo's result.
   *
   * @example
   * return out.result('ab-ba', deadlockSeen && retryWorked);
   */
  result(name: string, expected: boolean): DemoResult {
    this.line(expected ? `[${name}] behaved as described` : `[${name}] DID NOT behave as described`);
    return { name, expected, reports: this.reports, output: this.lines.join('\n') };
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? '' : `    ${l}`))
    .join('\n');
}

/**
 * Parses demo flags: --dot, --json.
 *
 * @example
 * parseFlags(['--dot']); // { dot: true, json: false, rest: [] }
 */
export function parseFlags(argv: readonly string[]): { dot: boolean; json: boolean; rest: string[] } {
  return { dot: argv.includes('--dot'), json: argv.includes('--json'), rest: argv.filter((a) => !a.startsWith('--')) };
}

/**
 * Runs one demo as a program: prints to stdout, sets the exit code.
 *
 * @example
 * runAlone(import.meta.url, abba);
 */
export function runAlone(moduleUrl: string, demo: Demo): void {
  if (!isEntryPoint(moduleUrl)) return;
  const flags = parseFlags(process.argv.slice(2));
  demo.run({ dot: flags.dot, json: flags.json, write: (l) => console.log(l) }).then(
    (r) => {
      process.exitCode = r.expected ? 0 : 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 2;
    },
  );
}

/**
 * Runs `body`, returning what it threw (or undefined).
 *
 * @example
 * const error = await caught(kernel.run());
 */
export async function caught(work: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof work === 'function' ? work() : work);
    return undefined;
  } catch (error) {
    return error;
  }
}
