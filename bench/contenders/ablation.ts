/**
 * Ablations: greenkernel with one layer taken out, to show where the nanoseconds of a switch
 * and of a hand-off go (issue 13). Neither is a correct runtime; they are measured beside the
 * real thing in the same run, and only ratios of the two are reported.
 *
 * Interface: threadRecordsPingPong(rounds, probe, queue), threadRecordsSpawnExit(batch, probe),
 * gkBareLoopYieldPingPong(rounds, probe), bareDispatch(kernel),
 * gkUncheckedSemaphorePingPong(rounds, probe).
 * Invariants:
 *  - thread records: the raw run-queue ping-pong of raw.ts (same generators), each generator
 *    held by a greenkernel Thread and made cpu.current while it runs, queued through a plain
 *    ring ('ring') or through greenkernel's RunQueue ('runqueue') — with greenkernel-d1 they
 *    split a switch's cost into the thread record, the run queue and the rest of the kernel;
 *  - spawn records: raw.ts's spawn + exit (same generators), each generator held by a new
 *    Thread record, queued in a ring and run once with cpu.current set — what a thread record
 *    adds to a spawn; greenkernel's spawn + exit over it is the kernel's own bookkeeping;
 *  - bare loop: the real kernel, threads, run queue and runThread, but dispatched by a loop of
 *    dequeue + run, without dispatchLoop's checks (step limit, panics, daemons, clock, trace,
 *    strategy) — the difference to greenkernel-d1 is what the dispatch loop itself costs;
 *  - unchecked semaphore: the real kernel and operation protocol, with a semaphore that skips
 *    what a primitive owes the kernel (the in-thread and operation checks, kernel binding, the
 *    detector's hook, the wait's start time, timers, trace, asserts) — the difference to the
 *    real Semaphore is that bookkeeping; the rest, over the protocol floor, is the kernel core;
 *  - each run does 2 x rounds switches (or hand-offs) and logs strict alternation.
 */
import { Kernel, type Routine } from '../../lib/index.ts';
import { runThread } from '../../lib/kernel/dispatch.ts';
import { RunQueue } from '../../lib/kernel/runqueue.ts';
import { completed, cpu, OP_READY, suspended, type Operation } from '../../lib/kernel/operation.ts';
import { ThreadQueue } from '../../lib/kernel/queue.ts';
import { S_RUNNABLE, Thread } from '../../lib/kernel/thread.ts';
import { WAIT_SEMAPHORE } from '../../lib/sync/semaphore.ts';
import type { Probe, Runner } from '../types.ts';
import { gkThreadBody } from './greenkernel.ts';
import { rawSpawnBody, rawThread } from './raw.ts';
import { RingQueue } from './ring-queue.ts';

/**
 * Two raw threads held by greenkernel Thread records, switched through a ring or the RunQueue.
 *
 * @example
 * threadRecordsPingPong(5000, null, 'runqueue').run(); // 10,000 switches
 */
export function threadRecordsPingPong(
  rounds: number,
  probe: Probe | null,
  queue: 'ring' | 'runqueue',
): Runner {
  const kernel = new Kernel({ name: 'bench-records' });
  const record = (id: number): Thread =>
    new Thread(kernel, id, `raw${id}`, rawThread(1, id, rounds, probe) as Routine, 0, 0);
  return {
    mode: 'sync',
    run(): void {
      try {
        // Two loops, not one over an interface: each queue's calls stay monomorphic.
        if (queue === 'ring') {
          const q = new RingQueue<Thread>(4);
          q.push(record(0));
          q.push(record(1));
          for (let t = q.shift(); t !== undefined; t = q.shift()) {
            cpu.current = t;
            if (t.top!.next().done !== true) q.push(t);
          }
        } else {
          const q = new RunQueue(null);
          q.enqueue(record(0));
          q.enqueue(record(1));
          for (let t = q.dequeueNext(); t !== null; t = q.dequeueNext()) {
            cpu.current = t;
            if (t.top!.next().done !== true) q.enqueue(t);
          }
        }
      } finally {
        cpu.current = null;
      }
    },
  };
}

/**
 * Spawn + exit of raw generators, each held by a new Thread record (no kernel bookkeeping).
 *
 * @example
 * threadRecordsSpawnExit(1000, null).run(); // 1,000 records created, run and finished
 */
export function threadRecordsSpawnExit(batch: number, probe: Probe | null): Runner {
  const kernel = new Kernel({ name: 'bench-spawn-records' });
  return {
    mode: 'sync',
    run(): void {
      const q = new RingQueue<Thread>(batch);
      for (let i = 0; i < batch; i++)
        q.push(new Thread(kernel, i, 'short', rawSpawnBody(i, probe) as Routine, 0, 0));
      try {
        for (let t = q.shift(); t !== undefined; t = q.shift()) {
          cpu.current = t;
          if (t.top!.next().done !== true) q.push(t);
        }
      } finally {
        cpu.current = null;
      }
    },
  };
}

/**
 * The yield ping-pong at depth 1, dispatched by a bare loop.
 *
 * @example
 * gkBareLoopYieldPingPong(5000, null).run(); // 10,000 switches
 */
export function gkBareLoopYieldPingPong(rounds: number, probe: Probe | null): Runner {
  const bodyA = gkThreadBody(1, 'call', 0, rounds, probe);
  const bodyB = gkThreadBody(1, 'call', 1, rounds, probe);
  return {
    mode: 'sync',
    run(): void {
      const kernel = new Kernel({ name: 'bench-bare-loop' });
      kernel.spawn(bodyA, { name: 'ping' });
      kernel.spawn(bodyB, { name: 'pong' });
      bareDispatch(kernel);
    },
  };
}

/**
 * Dispatches `kernel`'s threads with dequeue + runThread only (no dispatchLoop checks) until
 * none is runnable; every thread must have finished.
 *
 * @example
 * kernel.spawn(body); bareDispatch(kernel);
 */
export function bareDispatch(kernel: Kernel): void {
  const runq = kernel.runq;
  try {
    for (let t = runq.dequeueNext(); t !== null; t = runq.dequeueNext()) {
      cpu.current = t;
      runThread(kernel, t);
    }
  } finally {
    cpu.current = null;
  }
  if (kernel.liveCount !== 0) throw new Error('bare loop: a thread did not finish');
}

/** A semaphore without a primitive's bookkeeping (see the module comment). Not safe to use. */
class UncheckedSemaphore {
  private units = 0;
  private readonly waiters = new ThreadQueue<Thread>();

  down(): Operation<void> {
    const self = cpu.current!;
    if (this.units > 0) {
      this.units--;
      return completed(self, undefined);
    }
    self.markBlocked(WAIT_SEMAPHORE);
    self.waitOn = this as never;
    this.waiters.enqueue(self);
    return suspended<void>(self);
  }

  up(): void {
    const t = this.waiters.popFront();
    if (t === null) {
      this.units++;
      return;
    }
    t.opValue = undefined;
    t.markWoken(S_RUNNABLE, OP_READY);
    if (t !== cpu.current) t.kernel.runq.enqueue(t);
  }
}

/**
 * The semaphore ping-pong of greenkernel-sync.ts over UncheckedSemaphore. A copy of its threads,
 * not a shared workload taking a semaphore class: closures of one function share type feedback,
 * so sharing would make the real cell's `up()`/`down()` calls polymorphic in the same process.
 *
 * @example
 * gkUncheckedSemaphorePingPong(5000, null).run(); // 10,000 hand-offs
 */
export function gkUncheckedSemaphorePingPong(rounds: number, probe: Probe | null): Runner {
  return {
    mode: 'sync',
    run(): void {
      const kernel = new Kernel({ name: 'bench-unchecked' });
      const toA = new UncheckedSemaphore();
      const toB = new UncheckedSemaphore();
      kernel.spawn(function* pinger(): Routine<void> {
        for (let i = 0; i < rounds; i++) {
          if (probe !== null) probe.log.push(0);
          toB.up();
          yield* toA.down();
        }
      });
      kernel.spawn(function* ponger(): Routine<void> {
        for (let i = 0; i < rounds; i++) {
          yield* toB.down();
          if (probe !== null) probe.log.push(1);
          toA.up();
        }
      });
      kernel.runSync();
    },
  };
}
