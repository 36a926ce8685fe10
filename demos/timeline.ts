/**
 * Draws docs/timeline.svg (the README's picture): one run with every lane state — running,
 * runnable, blocked on a lock, asleep, waiting on the host — wake-ups between threads, and an
 * AB-BA deadlock at the end, its cycle highlighted. Also writes the run as Chrome trace-event
 * JSON with --trace FILE.
 * Run: `npx tsx demos/timeline.ts [--out docs/timeline.svg] [--trace FILE]`.
 * Interface: timelineRun() -> { events, highlight }, main(argv) -> exit code.
 */
import { writeFileSync } from 'node:fs';
import { DeadlockError, Kernel, Mutex, hostcall, sleep } from '../lib/index.ts';
import { traceEvents, type TraceEvent } from '../lib/spi.ts';
import { renderTimeline, toChromeTrace } from '../lib/explore/index.ts';
import { parseCommand, runAsProgram, stop, type Command } from '../bin/entry.ts';

const COMMAND = {
  name: 'npx tsx demos/timeline.ts',
  summary: 'Draws the README timeline (an SVG) from one traced run ending in an AB-BA deadlock.',
  flags: {
    out: { type: 'string', value: 'FILE', help: 'where the SVG goes (default docs/timeline.svg)' },
    trace: { type: 'string', value: 'FILE', help: 'also write the run as Chrome trace-event JSON' },
  },
} as const satisfies Command;

/**
 * The traced run: a device thread waiting on the host, a sleeper, two workers handing a lock
 * back and forth, then taking two locks in opposite orders.
 *
 * @example
 * const { events, highlight } = await timelineRun();
 */
export async function timelineRun(): Promise<{ events: TraceEvent[]; highlight: number[] }> {
  const kernel = new Kernel({
    name: 'timeline',
    trace: true,
    detection: { cycles: 'fail', lockOrder: 'off', backtraces: false },
  });
  const a = new Mutex('accounts');
  const b = new Mutex('ledger');
  kernel.spawn(
    function* device() {
      yield* hostcall(() => new Promise<number>((resolve) => setImmediate(() => resolve(1))));
      yield* sleep(1);
    },
    { name: 'device' },
  );
  kernel.spawn(
    function* w1() {
      yield* a.lock();
      yield;
      yield;
      a.unlock();
      yield* sleep(2);
      yield* a.lock();
      yield;
      yield* b.lock(); // closes the cycle: w2 holds ledger and waits for accounts
    },
    { name: 'transfer' },
  );
  kernel.spawn(
    function* w2() {
      yield* a.lock(); // waits while transfer holds it, woken by its unlock
      a.unlock();
      yield* sleep(2);
      yield* b.lock();
      yield* a.lock();
    },
    { name: 'audit' },
  );
  let highlight: number[] = [];
  try {
    await kernel.run();
  } catch (error) {
    if (!(error instanceof DeadlockError)) throw error;
    highlight = (error.report.cycles[0] ?? []).map((s) => s.thread.id);
  }
  return { events: traceEvents(kernel), highlight };
}

/**
 * Writes the SVG (and the trace when asked).
 *
 * @example
 * process.exitCode = await main(['--out', 'docs/timeline.svg']);
 */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(COMMAND, argv);
  if ('exit' in parsed) return stop(parsed);
  const { events, highlight } = await timelineRun();
  const out = parsed.values.out ?? 'docs/timeline.svg';
  writeFileSync(
    out,
    renderTimeline(events, { title: 'greenkernel: a run ending in an AB-BA deadlock', highlight }),
  );
  console.log(`wrote ${out}`);
  if (parsed.values.trace !== undefined) {
    writeFileSync(
      parsed.values.trace,
      JSON.stringify(toChromeTrace(events, { name: 'timeline' })) + '\n',
    );
    console.log(`wrote ${parsed.values.trace}`);
  }
  return 0;
}

runAsProgram(import.meta.url, main);
