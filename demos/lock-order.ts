/**
 * Demo: a lock-order inversion caught by lockdep-style validation in a run that did NOT
 * deadlock.
 *
 * The writer takes inode then buffer at time 0; the flusher takes buffer then inode at time 10,
 * long after the writer is done, so this schedule never deadlocks — but another one would. The
 * validator records "buffer taken while holding inode" the first time, and reports the reverse
 * order when the flusher takes it: a cycle in the lock-class graph. In 'warn' mode the run
 * completes and the report is kept (detectionReports, kernel.warnings); in 'fail' mode the run
 * fails with LockOrderError. Lock classes here are by name with the number stripped
 * (`lockClass`), so every inode lock is one class, as in lockdep.
 * Run alone: `npx tsx demos/lock-order.ts [--json FILE] [--dot FILE]` (`-` for stdout).
 */
import {
  Kernel,
  LockOrderError,
  Mutex,
  call,
  detectionReports,
  sleep,
  type LockOrderMode,
  type Waitable,
} from '../lib/index.ts';
import {
  Printer,
  caught,
  runAlone,
  type Demo,
  type DemoOptions,
  type DemoResult,
} from './common.ts';

function* writeBlock(inode: Mutex, buf: Mutex) {
  yield* inode.lock();
  yield* buf.lock(); // order: inode -> buffer
  buf.unlock();
  inode.unlock();
}

function* flushBuffer(buf: Mutex, inode: Mutex) {
  yield* sleep(10); // long after the writer finished: no deadlock in this run
  yield* buf.lock();
  yield* inode.lock(); // order: buffer -> inode — the inversion
  inode.unlock();
  buf.unlock();
}

/**
 * Lock class: kind and name without trailing numbers.
 *
 * @example
 * classWithoutNumber(new Mutex('inode 7')); // 'mutex inode'
 */
export function classWithoutNumber(lock: Waitable): string {
  return `${lock.resourceKind} ${lock.name.replace(/\s*\d+$/, '')}`;
}

/**
 * @example
 * const { kernel } = scenario('warn'); await kernel.run(); detectionReports(kernel).length; // 1
 */
export function scenario(lockOrder: LockOrderMode) {
  const kernel = new Kernel({
    name: 'lock-order',
    detection: { cycles: 'fail', lockOrder, lockClass: classWithoutNumber },
  });
  kernel.spawn(function* writer() {
    yield* call(writeBlock, new Mutex('inode 7'), new Mutex('buffer 12'));
  });
  kernel.spawn(function* flusher() {
    yield* call(flushBuffer, new Mutex('buffer 3'), new Mutex('inode 9'));
  });
  return { kernel };
}

async function run(options: DemoOptions = {}): Promise<DemoResult> {
  const out = new Printer(options);
  out.line(
    "== lock-order inversion, detection.lockOrder = 'warn': the run completes, the report is kept",
  );
  const warn = scenario('warn');
  const error = await caught(warn.kernel.run());
  const reports = detectionReports(warn.kernel);
  for (const r of reports) out.report(r);
  out.line(
    `    run ${error === undefined ? 'completed' : `failed: ${String(error)}`}; kernel.warnings: ${JSON.stringify(warn.kernel.warnings)}`,
  );
  out.line('');
  out.line("== the same with detection.lockOrder = 'fail'");
  const error2 = await caught(scenario('fail').kernel.run());
  out.line(
    error2 instanceof LockOrderError
      ? `    run failed: ${error2.name} (${error2.code})`
      : `unexpected: ${String(error2)}`,
  );
  return out.result(
    'lock-order',
    error === undefined &&
      reports.length === 1 &&
      reports[0]!.kind === 'lock-order' &&
      error2 instanceof LockOrderError,
  );
}

export const demo: Demo = {
  name: 'lock-order',
  title: 'lock-order inversion caught without a deadlock (lockdep)',
  run,
};

runAlone(import.meta.url, demo);
