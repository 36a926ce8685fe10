/**
 * Demo: a join cycle.
 *
 * The mounter holds the superblock lock, spawns a worker to scan the disk and joins it; the
 * worker needs the superblock lock to record what it found. Mounter → join → worker → mutex →
 * mounter: a wait-for cycle through a join target and a mutex owner, reported the moment the
 * worker blocks.
 * Run alone: `npx tsx demos/join-cycle.ts [--json FILE] [--dot FILE]` (`-` for stdout).
 */
import { DeadlockError, Kernel, Mutex, call, currentKernel, sleep } from '../lib/index.ts';
import {
  Printer,
  caught,
  runAlone,
  type Demo,
  type DemoOptions,
  type DemoResult,
} from './common.ts';

function* scanDisk(sb: Mutex) {
  yield* sleep(2); // read the disk
  yield* sb.lock(); // record the result: needs the superblock
  sb.unlock();
}

function* mount(sb: Mutex) {
  yield* sb.lock();
  try {
    const worker = currentKernel().spawn(() => scanDisk(sb), { name: 'scanner' });
    yield* worker.join(); // waits for the scanner, while holding the superblock
  } finally {
    sb.unlock();
  }
}

/**
 * @example
 * await scenario().kernel.run(); // rejects with DeadlockError
 */
export function scenario() {
  const kernel = new Kernel({
    name: 'join-cycle',
    detection: { cycles: 'fail', lockOrder: 'fail' },
  });
  const sb = new Mutex('superblock');
  kernel.spawn(function* mounter() {
    yield* call(mount, sb);
  });
  return { kernel, sb };
}

async function run(options: DemoOptions = {}): Promise<DemoResult> {
  const out = new Printer(options);
  out.line('== join cycle: the mounter joins the scanner while holding the lock the scanner needs');
  const error = await caught(scenario().kernel.run());
  if (error instanceof DeadlockError) out.report(error.report);
  else out.line(`unexpected: ${String(error)}`);
  return out.result(
    'join-cycle',
    error instanceof DeadlockError && error.cycle.some((s) => s.kind === 'join'),
  );
}

export const demo: Demo = {
  name: 'join-cycle',
  title: 'join cycle: a thread joins a worker that needs its lock',
  run,
};

runAlone(import.meta.url, demo);
