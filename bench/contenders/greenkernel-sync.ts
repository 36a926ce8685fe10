/**
 * greenkernel blocking hand-off workloads: a mutex passed back and forth, condition-variable
 * turn taking, and a semaphore pair (the kernel form of a 1-slot mailbox ping-pong).
 *
 * Interface: gkMutexHandoff, gkCondvarPingPong, gkSemaphorePingPong.
 * Invariants:
 *  - every run is on a fresh kernel with runSync() and does 2 x rounds hand-offs, each one a
 *    thread blocking and the other being woken by it (no bare yields in the steady state);
 *  - with a probe, the log alternates 0, 1, 0, 1, ... (2 x rounds entries): thread 0 always
 *    logs first, and no thread logs twice in a row;
 *  - every thread leaves the kernel with nothing held and nothing blocked (runSync would throw
 *    a StallError otherwise).
 */
import { CondVar, Kernel, Mutex, Semaphore, type Routine } from '../../lib/index.ts';
import type { Probe, Runner } from '../types.ts';

/**
 * Two threads handing one mutex to each other: the holder logs, unlocks (which hands the mutex
 * straight to the blocked peer) and locks again (which blocks until the peer hands it back).
 *
 * @example
 * gkMutexHandoff(5000, null).run(); // 10,000 hand-offs
 */
export function gkMutexHandoff(rounds: number, probe: Probe | null): Runner {
  return {
    mode: 'sync',
    run(): void {
      const kernel = new Kernel({ name: 'bench-mutex' });
      const m = new Mutex('baton');
      kernel.spawn(function* first(): Routine<void> {
        yield* m.lock();
        yield; // let the peer queue up on the mutex
        for (let i = 0; i < rounds; i++) {
          if (probe !== null) probe.log.push(0);
          m.unlock();
          yield* m.lock();
        }
        m.unlock();
      });
      kernel.spawn(function* second(): Routine<void> {
        yield* m.lock();
        for (let i = 0; i < rounds; i++) {
          if (probe !== null) probe.log.push(1);
          m.unlock();
          yield* m.lock();
        }
        m.unlock();
      });
      kernel.runSync();
    },
  };
}

/**
 * Two threads taking turns under one mutex and one condition variable (Mesa: wait in a loop).
 *
 * @example
 * gkCondvarPingPong(5000, null).run(); // 10,000 turns
 */
export function gkCondvarPingPong(rounds: number, probe: Probe | null): Runner {
  return {
    mode: 'sync',
    run(): void {
      const kernel = new Kernel({ name: 'bench-condvar' });
      const m = new Mutex('turn.lock');
      const cv = new CondVar('turn.changed');
      let turn = 0;
      for (let me = 0; me < 2; me++) {
        kernel.spawn(function* player(): Routine<void> {
          yield* m.lock();
          for (let i = 0; i < rounds; i++) {
            while (turn !== me) yield* cv.wait(m);
            if (probe !== null) probe.log.push(me);
            turn = 1 - me;
            cv.signal();
          }
          m.unlock();
        });
      }
      kernel.runSync();
    },
  };
}

/**
 * Two threads ping-ponging through two semaphores: up() the peer's, down() your own.
 *
 * @example
 * gkSemaphorePingPong(5000, null).run(); // 10,000 hand-offs
 */
export function gkSemaphorePingPong(rounds: number, probe: Probe | null): Runner {
  return {
    mode: 'sync',
    run(): void {
      const kernel = new Kernel({ name: 'bench-semaphore' });
      const toA = new Semaphore(0, 'toA');
      const toB = new Semaphore(0, 'toB');
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
