/**
 * The scheduling-strategy hook (lib/kernel/strategy.ts): asked at every dispatch, among the
 * highest priority level in FIFO order; index 0 is the kernel's own FIFO choice.
 */
import test from 'ava';
import { InvalidArgumentError, Kernel, type Routine } from '../../lib/index.ts';
import { traceEvents, type SchedulingStrategy, type Thread } from '../../lib/spi.ts';
import { tracedHandOff } from '../helpers/handoff.ts';

function ping(log: string[], name: string, rounds: number): () => Routine<void> {
  return function* () {
    for (let i = 0; i < rounds; i++) {
      log.push(name);
      yield;
    }
  };
}

function runWith(strategy: SchedulingStrategy | null): string[] {
  const k = new Kernel();
  k.strategy = strategy;
  const log: string[] = [];
  k.spawn(ping(log, 'a', 3), { name: 'a' });
  k.spawn(ping(log, 'b', 3), { name: 'b' });
  k.runSync();
  return log;
}

test('a strategy choosing index 0 gives the FIFO schedule; it is asked at every dispatch', (t) => {
  let asked = 0;
  t.deepEqual(
    runWith({
      next: () => {
        asked++;
        return 0;
      },
    }),
    runWith(null),
  );
  t.is(asked, 8); // 3 + 3 yields, 2 exits
});

test('a strategy choosing the last candidate runs a thread on past its yields', (t) => {
  const seen: string[][] = [];
  const log = runWith({
    next(runnable: readonly Thread[]) {
      seen.push(runnable.map((r) => r.name));
      return runnable.length - 1;
    },
  });
  t.deepEqual(log, ['b', 'b', 'b', 'a', 'a', 'a']);
  t.deepEqual(seen[0], ['a', 'b']); // FIFO order
});

test('only the highest runnable priority level is offered', (t) => {
  const k = new Kernel();
  const seen: string[][] = [];
  k.strategy = {
    next(runnable) {
      seen.push(runnable.map((r) => r.name));
      return 0;
    },
  };
  k.spawn(ping([], 'lo', 1), { name: 'lo', priority: 0 });
  k.spawn(ping([], 'hi', 1), { name: 'hi', priority: 5 });
  k.runSync();
  t.deepEqual(seen[0], ['hi']);
});

test('a strategy returning an index out of range fails the run with a clear error', (t) => {
  const k = new Kernel();
  k.strategy = { next: () => 2 };
  k.spawn(ping([], 'a', 1));
  k.spawn(ping([], 'b', 1));
  const error = t.throws(() => k.runSync(), { instanceOf: InvalidArgumentError });
  t.regex(error.message, /strategy chose 2 of 2 runnable threads/);
});

test('the trace records lock acquire and release, and who woke a waiter', (t) => {
  const { kernel: k, a } = tracedHandOff();
  const events = traceEvents(k).map((e) => `${e.event} ${e.threadName} ${e.detail} ${e.arg}`);
  t.true(events.includes('acquire a mutex m 0'));
  t.true(events.includes('release a mutex m 0'));
  t.true(events.includes(`wake b  ${a.id}`));
  t.regex(k.trace, /acquire b#2 mutex m/);
});
