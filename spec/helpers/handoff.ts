/**
 * A traced mutex hand-off between two threads, for the specs that read a trace: `a` locks and
 * yields, `b` blocks on the mutex, `a` unlocks (waking `b` with the mutex), `b` unlocks.
 */
import { Kernel, Mutex, type Thread } from '../../lib/index.ts';

/** Runs the hand-off on a fresh traced kernel; returns the kernel and thread `a`. */
export function tracedHandOff(): { kernel: Kernel; a: Thread } {
  const kernel = new Kernel({ trace: true });
  const m = new Mutex('m');
  const a = kernel.spawn(
    function* () {
      yield* m.lock();
      yield;
      m.unlock();
    },
    { name: 'a' },
  );
  kernel.spawn(
    function* () {
      yield* m.lock();
      m.unlock();
    },
    { name: 'b' },
  );
  kernel.runSync();
  return { kernel, a };
}
