/**
 * Demo: AB-BA lock inversion.
 *
 * Two threads move money between two accounts, each locking the source account first. Alice
 * locks A then B, Bob locks B then A; both pause between the two locks, so each ends up holding
 * one lock and waiting for the other. greenkernel sees the wait-for cycle the moment Bob's wait
 * would close it:
 *  1. detection.cycles = 'fail': run() rejects with DeadlockError and its report;
 *  2. detection.cycles = 'error': Bob gets EDEADLK at `yield* lock()`, backs off (drops B,
 *     waits, retries) and both transfers complete.
 * Run alone: `npx tsx demos/ab-ba.ts [--json FILE] [--dot FILE]` (`-` for stdout).
 */
import {
  DeadlockError,
  Kernel,
  Mutex,
  call,
  sleep,
  type CycleMode,
  type Routine,
} from '../lib/index.ts';
import {
  Printer,
  caught,
  runAlone,
  type Demo,
  type DemoOptions,
  type DemoResult,
} from './common.ts';

/** One transfer: lock the source, think, lock the destination. */
function* transfer(from: Mutex, to: Mutex, log: string[]) {
  yield* from.lock();
  try {
    yield* sleep(1); // the other thread takes its first lock meanwhile
    yield* to.lock();
    try {
      log.push(`moved ${from.name} -> ${to.name}`);
    } finally {
      to.unlock();
    }
  } finally {
    from.unlock();
  }
}

/** Like transfer, but on EDEADLK drops what it holds, waits and tries again. */
function* transferWithBackoff(from: Mutex, to: Mutex, log: string[]) {
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      yield* call(transfer, from, to, log);
      return attempt;
    } catch (error) {
      if (!(error instanceof DeadlockError)) throw error;
      log.push(`EDEADLK on attempt ${attempt}: backing off`);
      yield* sleep(5 * attempt);
    }
  }
  throw new Error('gave up after 5 attempts');
}

/**
 * The scenario on a fresh kernel: alice moves A → B, bob B → A.
 *
 * @example
 * const { kernel, log } = scenario('fail'); await kernel.run(); // rejects with DeadlockError
 */
export function scenario(cycles: CycleMode, seed = 0) {
  const kernel = new Kernel({ name: 'ab-ba', seed, detection: { cycles, lockOrder: 'off' } });
  const a = new Mutex('A');
  const b = new Mutex('B');
  const log: string[] = [];
  const body: (from: Mutex, to: Mutex, log: string[]) => Routine<unknown> =
    cycles === 'error' ? transferWithBackoff : transfer;
  kernel.spawn(function* alice() {
    yield* call(body, a, b, log);
  });
  kernel.spawn(function* bob() {
    yield* call(body, b, a, log);
  });
  return { kernel, a, b, log };
}

async function run(options: DemoOptions = {}): Promise<DemoResult> {
  const out = new Printer(options);
  out.line('== AB-BA: alice locks A then B, bob locks B then A');
  out.line("-- detection.cycles = 'fail': the run fails at once with the report");
  const failing = scenario('fail');
  const error = await caught(out.trace(failing.kernel, 'deadlock').run());
  const failedRight = error instanceof DeadlockError;
  if (error instanceof DeadlockError) out.report(error.report);
  else out.line(`unexpected outcome: ${String(error)}`);

  out.line('');
  out.line("-- detection.cycles = 'error': bob gets EDEADLK, backs off, retries");
  const retrying = scenario('error');
  const error2 = await caught(out.trace(retrying.kernel, 'retry').run());
  for (const l of retrying.log) out.line(`    ${l}`);
  const retried =
    error2 === undefined && retrying.log.filter((l) => l.startsWith('moved')).length === 2;
  out.line(retried ? '    both transfers completed' : `    unexpected: ${String(error2)}`);
  return out.result('ab-ba', failedRight && retried);
}

export const demo: Demo = {
  name: 'ab-ba',
  title: 'AB-BA lock inversion: cycle found at once; EDEADLK and back-off',
  run,
};

runAlone(import.meta.url, demo);
