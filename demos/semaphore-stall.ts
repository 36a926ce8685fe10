/**
 * Demo: semaphore exhaustion.
 *
 * A pool of 2 DMA buffers (a counting semaphore). Each of two transfers takes one buffer, does
 * some work, then takes a second one — both hold one and wait for another, and nobody will
 * up() the semaphore. A semaphore has no owner, so there is no cycle to find: the stall
 * detector reports it when nothing can run and no timer is pending. Taking both buffers under a
 * mutex (all-or-nothing) fixes it.
 * Run alone: `npx tsx demos/semaphore-stall.ts [--json FILE] [--dot FILE]` (`-` for stdout).
 */
import { Kernel, Mutex, Semaphore, StallError, call, sleep } from '../lib/index.ts';
import {
  Printer,
  caught,
  runAlone,
  type Demo,
  type DemoOptions,
  type DemoResult,
} from './common.ts';

/** Takes two buffers one at a time (BUG when everyone does it), uses them, returns them. */
function* dmaTransfer(buffers: Semaphore) {
  yield* buffers.down();
  yield* sleep(1); // fill the first buffer
  yield* buffers.down();
  yield* sleep(1);
  buffers.up(2);
}

/** Takes both buffers under a mutex, so no one ever holds just one while waiting. */
function* dmaTransferFixed(buffers: Semaphore, take: Mutex) {
  yield* take.lock();
  try {
    yield* buffers.down();
    yield* buffers.down();
  } finally {
    take.unlock();
  }
  yield* sleep(2);
  buffers.up(2);
}

/**
 * @example
 * await scenario(false).kernel.run(); // rejects with StallError
 */
export function scenario(fixed: boolean) {
  const kernel = new Kernel({
    name: fixed ? 'dma-fixed' : 'dma-stall',
    detection: { cycles: 'fail', lockOrder: 'fail' },
  });
  const buffers = new Semaphore(2, 'dma.buffers', 2);
  const take = new Mutex('dma.take');
  for (const name of ['transfer A', 'transfer B']) {
    kernel.spawn(
      function* transfer() {
        if (fixed) yield* call(dmaTransferFixed, buffers, take);
        else yield* call(dmaTransfer, buffers);
      },
      { name },
    );
  }
  return { kernel, buffers };
}

async function run(options: DemoOptions = {}): Promise<DemoResult> {
  const out = new Printer(options);
  out.line('== semaphore exhaustion: 2 buffers, 2 transfers each taking 2, one at a time');
  const error = await caught(scenario(false).kernel.run());
  if (error instanceof StallError) out.report(error.report);
  else out.line(`unexpected: ${String(error)}`);
  out.line('');
  out.line('== fixed: take both buffers under a mutex');
  const error2 = await caught(scenario(true).kernel.run());
  out.line(error2 === undefined ? '    both transfers completed' : `unexpected: ${String(error2)}`);
  return out.result('semaphore-stall', error instanceof StallError && error2 === undefined);
}

export const demo: Demo = {
  name: 'semaphore-stall',
  title: 'semaphore exhaustion: an ownerless stall',
  run,
};

runAlone(import.meta.url, demo);
