/**
 * Demo: the rump-kernel scenario — user threads call into a block driver and wait for an I/O
 * completion that only the driver's kernel (interrupt) thread can deliver.
 *
 *  0. A naive run-to-completion dispatcher (demos/naive-pool.ts: a fixed pool of contexts, each
 *     request holding its context until done) hangs as soon as every context waits for a
 *     completion whose handler is still queued; a step bound detects it.
 *  a. On greenkernel the kernel thread is always independently runnable: 20 concurrent reads
 *     (more than any pool) all complete, served by one kernel thread.
 *  b. Priority inheritance: the low-priority kernel thread holds dev.lock while a high-priority
 *     user thread waits for it and a medium-priority hog is runnable; the kernel thread is lent
 *     the user's priority, so the hog cannot starve it, and falls back when it unlocks. With an
 *     ownerless binary semaphore instead of the mutex (no owner, no inheritance) the hog runs
 *     first: priority inversion.
 *  c. Wake order on unlock: highest priority first, FIFO among equals.
 *  d. A buggy driver that keeps dev.lock across the completion wait, while the kernel thread
 *     needs dev.lock to complete: the wait-for cycle user → completion (declared holder: the
 *     kernel thread) → dev.lock (owner: the user) is reported at once.
 * Run alone: `npx tsx demos/rump-io.ts [--json FILE] [--dot FILE]` (`-` for stdout).
 */
import {
  Completion,
  DeadlockError,
  Kernel,
  Mutex,
  Semaphore,
  call,
  currentThread,
  sleep,
  type Operation,
  type Thread,
} from '../lib/index.ts';
import {
  Printer,
  caught,
  runAlone,
  type Demo,
  type DemoOptions,
  type DemoResult,
} from './common.ts';
import { runNaivePool } from './naive-pool.ts';

/** What the driver's lock is: a Mutex (owner, inheritance) or a binary Semaphore (neither). */
interface DriverLock {
  acquire(): Operation<void>;
  release(): void;
}
function mutexLock(m: Mutex): DriverLock {
  return { acquire: () => m.lock(), release: () => m.unlock() };
}
function semaphoreLock(s: Semaphore): DriverLock {
  return { acquire: () => s.down(), release: () => s.up() };
}

interface Request {
  readonly block: number;
  readonly done: Completion<string>;
}

/** A block device: a request queue, its lock, and the kernel thread that completes I/O. */
class Device {
  readonly queue: Request[] = [];
  readonly work = new Semaphore(0, 'dev.work');
  readonly intr: Thread;
  completed = 0;
  /** Scheduling events, for the demo and tests. */
  readonly events: string[] = [];

  constructor(
    kernel: Kernel,
    readonly lock: DriverLock,
    /** Yields of bookkeeping the kernel thread does under the lock after each batch. */
    readonly bookkeeping = 0,
  ) {
    this.intr = kernel.spawn(() => interruptThread(this), {
      name: 'intr',
      kind: 'kernel',
      priority: 1,
      daemon: true,
    });
  }
}

/** The kernel thread: waits for work, then completes every queued request under dev.lock. */
function* interruptThread(dev: Device) {
  const self = currentThread();
  for (;;) {
    yield* dev.work.down();
    if (dev.queue.length === 0) continue; // drained by an earlier batch
    yield* dev.lock.acquire();
    try {
      for (let req = dev.queue.shift(); req !== undefined; req = dev.queue.shift()) {
        yield; // copy the data out of the DMA buffer
        dev.completed++;
        req.done.complete(`data of block ${req.block}`);
        dev.events.push(`intr completes blk ${req.block} at prio ${self.priority}`);
      }
      for (let i = 0; i < dev.bookkeeping; i++) {
        yield;
        dev.events.push(`intr bookkeeping at prio ${self.priority}`);
      }
    } finally {
      dev.lock.release();
    }
    dev.events.push(`intr unlocked, prio ${self.priority} (base ${self.basePriority})`);
  }
}

/** The driver's read: queue a request under the lock, then wait for its completion. */
function* readBlock(dev: Device, block: number, keepLockWhileWaiting = false) {
  yield* dev.lock.acquire();
  const req: Request = { block, done: new Completion<string>(`io blk ${block}`) };
  req.done.declareHolder(dev.intr); // only the interrupt thread can complete it
  dev.queue.push(req);
  dev.work.up();
  if (keepLockWhileWaiting) {
    // BUG: the interrupt thread needs dev.lock to complete the request.
    try {
      return yield* req.done.wait();
    } finally {
      dev.lock.release();
    }
  }
  dev.lock.release();
  return yield* req.done.wait();
}

/** The file-system layer above the driver (so backtraces show a call chain). */
function* vfsRead(dev: Device, block: number, keepLockWhileWaiting = false) {
  return yield* call(readBlock, dev, block, keepLockWhileWaiting);
}

/**
 * (a) `reads` user threads read concurrently through one kernel thread.
 *
 * @example
 * (await independentRunnability(20)).completed; // 20
 */
export async function independentRunnability(reads: number) {
  const kernel = new Kernel({ name: 'rump-io', detection: { cycles: 'fail', lockOrder: 'fail' } });
  const dev = new Device(kernel, mutexLock(new Mutex('dev.lock')));
  const results: string[] = [];
  for (let i = 0; i < reads; i++) {
    kernel.spawn(
      function* reader() {
        results.push(yield* call(vfsRead, dev, i));
      },
      { name: `reader${i}` },
    );
  }
  const r = await kernel.run();
  return { completed: results.length, steps: r.steps, time: r.time };
}

/**
 * (b) Priority inheritance (lock = 'mutex') or inversion (lock = 'semaphore').
 *
 * @example
 * const { events } = await priorityScenario('mutex');
 */
export async function priorityScenario(lock: 'mutex' | 'semaphore') {
  const kernel = new Kernel({
    name: `rump-pi-${lock}`,
    detection: { cycles: 'fail', lockOrder: 'fail' },
  });
  const dev = new Device(
    kernel,
    lock === 'mutex'
      ? mutexLock(new Mutex('dev.lock'))
      : semaphoreLock(new Semaphore(1, 'dev.lock', 1)),
    3,
  );
  const events = dev.events;
  kernel.spawn(
    function* user() {
      yield* call(vfsRead, dev, 1); // woken by intr while intr still holds dev.lock
      events.push('user wants dev.lock (prio 10)');
      yield* dev.lock.acquire(); // e.g. to read the driver's counters
      events.push(`user got dev.lock (completed ${dev.completed})`);
      dev.lock.release();
    },
    { name: 'user', priority: 10 },
  );
  kernel.spawn(
    function* hog() {
      yield* call(vfsRead, dev, 2);
      for (let i = 0; i < 200; i++) yield; // CPU-bound work at medium priority
      events.push('hog finished its CPU burst');
    },
    { name: 'hog', priority: 5 },
  );
  await kernel.run();
  return { events, intr: dev.intr };
}

/**
 * (c) Waiters of priorities 3, 7, 3, 7 queue in that order; the order they get the lock.
 *
 * @example
 * await wakeOrder(); // ['w2(7)', 'w4(7)', 'w1(3)', 'w3(3)']
 */
export async function wakeOrder(): Promise<string[]> {
  const kernel = new Kernel({
    name: 'rump-wake',
    detection: { cycles: 'fail', lockOrder: 'fail' },
  });
  const m = new Mutex('dev.lock');
  const order: string[] = [];
  kernel.spawn(function* holder() {
    yield* m.lock();
    yield* sleep(10);
    m.unlock();
  });
  [3, 7, 3, 7].forEach((priority, i) => {
    const name = `w${i + 1}(${priority})`;
    kernel.spawn(
      function* waiter() {
        yield* sleep(i + 1); // queue one after another: w1 first
        yield* m.lock();
        order.push(name);
        m.unlock();
      },
      { name, priority },
    );
  });
  await kernel.run();
  return order;
}

/**
 * (d) The buggy driver: the reader keeps dev.lock while it waits for the completion.
 *
 * @example
 * (await buggyDriver()) instanceof DeadlockError; // true
 */
export async function buggyDriver(): Promise<unknown> {
  const kernel = new Kernel({
    name: 'rump-buggy',
    detection: { cycles: 'fail', lockOrder: 'off' },
  });
  const dev = new Device(kernel, mutexLock(new Mutex('dev.lock')));
  kernel.spawn(
    function* cat() {
      yield* call(vfsRead, dev, 7, true);
    },
    { name: 'cat' },
  );
  return caught(kernel.run());
}

async function run(options: DemoOptions = {}): Promise<DemoResult> {
  const out = new Printer(options);
  out.line('== rump kernel: user threads wait for I/O completions only a kernel thread delivers');

  out.line('-- 0. naive run-to-completion pool, 2 contexts, 2 concurrent reads');
  const naive = runNaivePool({ contexts: 2, reads: 2 });
  out.line(naive.report.replace(/^/gm, '    '));
  const roomy = runNaivePool({ contexts: 3, reads: 2 });
  out.line(
    `    (with 3 contexts the same 2 reads ${roomy.finished ? `finish in ${roomy.steps} steps` : 'hang too'}: correctness depends on pool size)`,
  );

  out.line('-- a. greenkernel: every thread independently runnable, no pool');
  const a = await independentRunnability(20);
  out.line(
    `    20 concurrent reads, 1 kernel thread: ${a.completed} completed in ${a.steps} steps`,
  );

  out.line('-- b. priority inheritance along dev.lock (intr prio 1, hog prio 5, user prio 10)');
  const pi = await priorityScenario('mutex');
  for (const e of pi.events) out.line(`    ${e}`);
  const inv = await priorityScenario('semaphore');
  out.line('   same with a binary semaphore as dev.lock (no owner, no inheritance):');
  for (const e of inv.events) out.line(`    ${e}`);
  const piOk =
    before(pi.events, 'user got dev.lock', 'hog finished') &&
    pi.events.includes('intr bookkeeping at prio 10') &&
    pi.intr.priority === 1;
  const invShown = before(inv.events, 'hog finished', 'user got dev.lock');

  out.line('-- c. wake order on unlock (waiters queued as w1(3), w2(7), w3(3), w4(7))');
  const order = await wakeOrder();
  out.line(`    lock granted to: ${order.join(', ')}`);

  out.line('-- d. buggy driver: dev.lock kept across the completion wait');
  const error = await buggyDriver();
  const deadlock = error instanceof DeadlockError ? error : null;
  if (deadlock !== null) out.report(deadlock.report);
  else out.line(`    unexpected: ${String(error)}`);

  const ok =
    !naive.finished &&
    roomy.finished &&
    a.completed === 20 &&
    piOk &&
    invShown &&
    order.join() === 'w2(7),w4(7),w1(3),w3(3)' &&
    deadlock !== null;
  return out.result('rump-io', ok);
}

function before(events: readonly string[], first: string, second: string): boolean {
  const i = events.findIndex((e) => e.startsWith(first));
  const j = events.findIndex((e) => e.startsWith(second));
  return i >= 0 && j >= 0 && i < j;
}

export const demo: Demo = {
  name: 'rump-io',
  title: 'user thread waits for I/O completion from a kernel thread: pool hang vs greenkernel',
  run,
};

runAlone(import.meta.url, demo);
