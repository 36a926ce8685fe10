/**
 * Demo: lost wakeup on a condition variable.
 *
 * The consumer checks `ready` without holding the lock, is delayed before it waits, and in the
 * meantime the producer sets `ready` and signals — nobody is waiting yet, so the signal is lost.
 * The consumer then waits forever. A condvar has no owner, so there is no wait-for cycle: the
 * stall detector reports it when nothing can run and no timer is left, naming the condvar and
 * the likely cause. The fix checks the condition under the lock, in a loop.
 * Run alone: `npx tsx demos/lost-wakeup.ts [--json FILE] [--dot FILE]` (`-` for stdout).
 */
import { CondVar, Kernel, Mutex, StallError, call, sleep } from '../lib/index.ts';
import {
  Printer,
  caught,
  runAlone,
  type Demo,
  type DemoOptions,
  type DemoResult,
} from './common.ts';

interface Shared {
  ready: boolean;
  readonly m: Mutex;
  readonly cv: CondVar;
}

/** BUG: checks `ready` outside the lock, and only once. */
function* consumeRacy(s: Shared) {
  if (!s.ready) {
    yield* sleep(1); // preempted between the check and the wait
    yield* s.m.lock();
    yield* s.cv.wait(s.m); // the signal already happened
    s.m.unlock();
  }
}

/** Correct: the check and the wait are under the lock, in a loop. */
function* consume(s: Shared) {
  yield* s.m.lock();
  try {
    while (!s.ready) yield* s.cv.wait(s.m);
  } finally {
    s.m.unlock();
  }
}

function* produce(s: Shared) {
  yield* s.m.lock();
  s.ready = true;
  s.cv.signal();
  s.m.unlock();
}

/**
 * Producer and consumer on a fresh kernel.
 *
 * @example
 * await scenario(true).kernel.run(); // rejects with StallError
 */
export function scenario(racy: boolean) {
  const kernel = new Kernel({
    name: racy ? 'lost-wakeup' : 'condvar-fixed',
    detection: { cycles: 'fail', lockOrder: 'fail' },
  });
  const s: Shared = { ready: false, m: new Mutex('queue.lock'), cv: new CondVar('queue.ready') };
  kernel.spawn(function* consumer() {
    yield* call(racy ? consumeRacy : consume, s);
  });
  kernel.spawn(function* producer() {
    yield* call(produce, s);
  });
  return { kernel, shared: s };
}

async function run(options: DemoOptions = {}): Promise<DemoResult> {
  const out = new Printer(options);
  out.line('== lost wakeup: the consumer checks outside the lock; the signal comes first');
  const error = await caught(out.trace(scenario(true).kernel, 'racy').run());
  if (error instanceof StallError) out.report(error.report);
  else out.line(`unexpected: ${String(error)}`);
  out.line('');
  out.line('== fixed: check under the lock, in a loop');
  const error2 = await caught(out.trace(scenario(false).kernel, 'fixed').run());
  out.line(
    error2 === undefined ? '    consumer saw ready, run finished' : `unexpected: ${String(error2)}`,
  );
  return out.result('lost-wakeup', error instanceof StallError && error2 === undefined);
}

export const demo: Demo = {
  name: 'lost-wakeup',
  title: 'lost wakeup on a condition variable: reported as a stall',
  run,
};

runAlone(import.meta.url, demo);
