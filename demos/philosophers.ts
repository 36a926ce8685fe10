/**
 * Demo: dining philosophers.
 *
 * Five philosophers, five forks (mutexes). Deadlocking variant: each takes the left fork, thinks
 * a moment, then takes the right one — all five hold one fork and wait for the next: a wait-for
 * cycle of five threads, reported when the last one blocks. Fixed variant: every philosopher
 * takes the lower-numbered fork first (one global lock order), so no cycle can form; it runs to
 * the end under lock-order validation ('fail') without a single report.
 * Run alone: `npx tsx demos/philosophers.ts [--json FILE] [--dot FILE]` (`-` for stdout).
 */
import { DeadlockError, Kernel, Mutex, call, sleep } from '../lib/index.ts';
import {
  Printer,
  caught,
  runAlone,
  type Demo,
  type DemoOptions,
  type DemoResult,
} from './common.ts';

export const PHILOSOPHERS = 5;

/** One meal: take `first`, then `second`, eat, put both back. */
function* eat(first: Mutex, second: Mutex, meals: { count: number }) {
  yield* first.lock();
  try {
    yield* sleep(1); // reach for the other fork
    yield* second.lock();
    try {
      yield* sleep(1); // eat
      meals.count++;
    } finally {
      second.unlock();
    }
  } finally {
    first.unlock();
  }
}

/**
 * The table. `ordered`: take the lower-numbered fork first (the fix).
 *
 * @example
 * const { kernel } = table(false); await kernel.run(); // rejects with DeadlockError
 */
export function table(ordered: boolean, rounds = 3) {
  const kernel = new Kernel({
    name: ordered ? 'philosophers-ordered' : 'philosophers',
    detection: { cycles: 'fail', lockOrder: ordered ? 'fail' : 'off' },
  });
  const forks = Array.from({ length: PHILOSOPHERS }, (_, i) => new Mutex(`fork ${i}`));
  const meals = { count: 0 };
  for (let i = 0; i < PHILOSOPHERS; i++) {
    const left = forks[i]!;
    const right = forks[(i + 1) % PHILOSOPHERS]!;
    const [first, second] = ordered && i === PHILOSOPHERS - 1 ? [right, left] : [left, right];
    kernel.spawn(
      function* philosopher() {
        for (let r = 0; r < rounds; r++) {
          yield* call(eat, first, second, meals);
          yield* sleep(1); // think
        }
      },
      { name: `philosopher ${i}` },
    );
  }
  return { kernel, forks, meals };
}

async function run(options: DemoOptions = {}): Promise<DemoResult> {
  const out = new Printer(options);
  out.line('== dining philosophers: everyone takes the left fork first');
  const bad = table(false);
  const error = await caught(bad.kernel.run());
  if (error instanceof DeadlockError) out.report(error.report);
  else out.line(`unexpected: ${String(error)}`);
  out.line('');
  out.line('== fixed: take the lower-numbered fork first (lock-order validation on)');
  const good = table(true);
  const error2 = await caught(good.kernel.run());
  out.line(
    error2 === undefined
      ? `    ${good.meals.count} meals eaten, no deadlock, no lock-order report`
      : `unexpected: ${String(error2)}`,
  );
  return out.result(
    'philosophers',
    error instanceof DeadlockError &&
      error.cycle.length === PHILOSOPHERS &&
      error2 === undefined &&
      good.meals.count === PHILOSOPHERS * 3,
  );
}

export const demo: Demo = {
  name: 'philosophers',
  title: 'dining philosophers: five-thread cycle, and the lock-ordering fix',
  run,
};

runAlone(import.meta.url, demo);
