/**
 * Shared plumbing of the demos: options, output, and running demos as a program.
 *
 * Interface: `Demo` (name, title, run), `DemoOptions`, `DemoResult`, `Printer`, `reportDot`,
 * `demoDocument`, `runDemos(demos, targets)`, `runAlone(import.meta.url, demo)`, `caught`.
 * Every demo builds its scenario, runs it, prints what happened and its report(s) as text, and
 * returns `expected: true` when the scenario behaved as the demo says it does (so `npm run demo`
 * exits non-zero if a demo stops demonstrating its point). Machine output is made once all
 * demos ran: one JSON document (`demoDocument`) and one DOT graph per report (`reportDot`),
 * each to its own file or stdout, never mixed into the prose (which then goes to stderr).
 * No top-level await: demos work as .ts under tsx and as compiled .js.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommand, runAsProgram, stop } from '../bin/entry.ts';
import { formatMs, formatReport, reportToDot, type Kernel, type Report } from '../lib/index.ts';
import { toChromeTrace, type ChromeEvent } from '../lib/explore/index.ts';
import { traceEvents } from '../lib/spi.ts';
import { demoCommand, outputTargets, type OutputTargets } from './args.ts';

export interface DemoOptions {
  /** Where lines go. Default: collected only (run() returns them). */
  write?: (line: string) => void;
  /** Record the trace of the kernels the demo hands to Printer.trace (for --trace FILE). */
  trace?: boolean;
}

export interface DemoResult {
  readonly name: string;
  /** The scenario did what the demo claims. */
  readonly expected: boolean;
  /** Every report made (deadlock, stall, lock order), in order. */
  readonly reports: readonly Report[];
  /** Everything printed. */
  readonly output: string;
  /** The kernels recorded for --trace (empty unless asked). */
  readonly traced?: readonly { readonly label: string; readonly kernel: Kernel }[];
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
  readonly traced: { label: string; kernel: Kernel }[] = [];
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
   * Prints a report as text and keeps it (for the JSON and DOT output).
   *
   * @example
   * out.report(error.report);
   */
  report(r: Report): void {
    this.reports.push(r);
    this.line(indent(formatReport(r)));
  }

  /**
   * Records `kernel`'s run for --trace (switches its trace on when asked); returns it.
   *
   * @example
   * const kernel = out.trace(scenario(true).kernel, 'racy');
   */
  trace(kernel: Kernel, label: string = kernel.name): Kernel {
    if (this.options.trace === true) {
      kernel.tracing = true;
      this.traced.push({ label, kernel });
    }
    return kernel;
  }

  /**
   * The demo's result.
   *
   * @example
   * return out.result('ab-ba', deadlockSeen && retryWorked);
   */
  result(name: string, expected: boolean): DemoResult {
    this.line(
      expected ? `[${name}] behaved as described` : `[${name}] DID NOT behave as described`,
    );
    return {
      name,
      expected,
      reports: this.reports,
      output: this.lines.join('\n'),
      traced: this.traced,
    };
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? '' : `    ${l}`))
    .join('\n');
}

const quote = (s: string): string =>
  `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/**
 * A lock-order report's graph: its cycle of lock classes, an edge A -> B for "B taken while
 * holding A", labelled with the thread, step and time it was seen; every edge is on the cycle.
 */
function lockOrderDot(r: Report): string {
  const order = r.lockOrder!;
  const classes = [...new Set(order.classes)];
  return [
    `digraph ${quote(`${r.kernel} lock-order graph`)} {`,
    '  rankdir=LR;',
    `  label=${quote(`${r.title}\nan edge A -> B: B was taken while holding A`)};`,
    '  node [fontname="monospace", shape=box];',
    ...classes.map((c) => `  ${quote(c)} [label=${quote(c)}];`),
    ...order.edges.map(
      (e) =>
        `  ${quote(e.from)} -> ${quote(e.to)} [label=${quote(`${e.thread.name}#${e.thread.id} at step ${e.step}, ${formatMs(e.time)}`)}, color=red, fontcolor=red, penwidth=2];`,
    ),
    '}',
  ].join('\n');
}

/**
 * The Graphviz DOT of a report: the lock-class cycle of a lock-order report, the wait-for graph
 * (reportToDot) of any other.
 *
 * @example
 * writeFileSync('ab-ba.dot', reportDot(error.report)); // dot -Tsvg ab-ba.dot
 */
export function reportDot(r: Report): string {
  return r.kind === 'lock-order' && r.lockOrder !== undefined ? lockOrderDot(r) : reportToDot(r);
}

/** A demo and what its run gave. */
export interface DemoRun {
  readonly demo: Demo;
  readonly result: DemoResult;
}

/** The JSON output of a run of demos. */
export interface DemoDocument {
  readonly demos: {
    readonly name: string;
    readonly title: string;
    readonly expected: boolean;
    readonly reports: readonly Report[];
  }[];
}

/**
 * The JSON document of a run: one entry per demo, in run order, with every report it made.
 *
 * @example
 * JSON.stringify(demoDocument([{ demo, result: await demo.run() }]));
 */
export function demoDocument(runs: readonly DemoRun[]): DemoDocument {
  return {
    demos: runs.map(({ demo, result }) => ({
      name: demo.name,
      title: demo.title,
      expected: result.expected,
      reports: result.reports,
    })),
  };
}

/** Writes machine output to `target` ('-': stdout); says where when it is a file. */
function emit(target: string, text: string, say: (line: string) => void): void {
  if (target === '-') {
    process.stdout.write(text);
    return;
  }
  writeFileSync(target, text);
  say(`wrote ${target}`);
}

/**
 * Runs `chosen` in order, printing their prose (to stderr when stdout carries machine output),
 * then writes the JSON document and the DOT graphs where `targets` say. Resolves to the exit
 * code: 0 when every demo behaved as described, 1 otherwise.
 *
 * @example
 * process.exitCode = await runDemos([abba], { json: '-', dot: null });
 */
export async function runDemos(chosen: readonly Demo[], targets: OutputTargets): Promise<number> {
  const say =
    targets.json === '-' || targets.dot === '-'
      ? (l: string) => console.error(l)
      : (l: string) => console.log(l);
  const runs: DemoRun[] = [];
  for (const demo of chosen) {
    say(`\n######## ${demo.name}: ${demo.title}\n`);
    runs.push({
      demo,
      result: await demo.run({ write: say, trace: (targets.trace ?? null) !== null }),
    });
  }
  const failed = runs.filter((r) => !r.result.expected).length;
  say(`\n${runs.length - failed}/${runs.length} demo(s) behaved as described`);
  if ((targets.trace ?? null) !== null) emit(targets.trace!, chromeTraceOfDemos(runs), say);
  if (targets.json !== null)
    emit(targets.json, `${JSON.stringify(demoDocument(runs), null, 2)}\n`, say);
  if (targets.dot !== null)
    emit(
      targets.dot,
      `${runs.flatMap((r) => r.result.reports.map(reportDot)).join('\n\n')}\n`,
      say,
    );
  return failed === 0 ? 0 : 1;
}

/**
 * Runs one demo as a program (`npx tsx demos/NAME.ts [--json FILE] [--dot FILE]`): the same
 * flags and output as `greenkernel demo NAME`; sets the exit code.
 *
 * @example
 * runAlone(import.meta.url, abba);
 */
export function runAlone(moduleUrl: string, demo: Demo): void {
  runAsProgram(moduleUrl, async (argv) => {
    const command = demoCommand(relative(process.cwd(), fileURLToPath(moduleUrl)));
    const parsed = parseCommand(command, argv);
    if ('exit' in parsed) return stop(parsed);
    const targets = outputTargets(parsed.values, command);
    return 'exit' in targets ? stop(targets) : runDemos([demo], targets);
  });
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

/**
 * The recorded kernels of `runs` as one Chrome trace-event document: a process per kernel.
 *
 * @example
 * writeFileSync('demos.json', chromeTraceOfDemos(runs));
 */
export function chromeTraceOfDemos(runs: readonly DemoRun[]): string {
  const events: ChromeEvent[] = [];
  let pid = 0;
  for (const { demo, result } of runs) {
    for (const { label, kernel } of result.traced ?? []) {
      pid++;
      const doc = toChromeTrace(traceEvents(kernel), { name: `${demo.name}: ${label}`, pid });
      events.push(...doc.traceEvents);
    }
  }
  return `${JSON.stringify({ traceEvents: events, displayTimeUnit: 'ms' })}\n`;
}
