/**
 * Raw blocking hand-off: two generator threads ping-pong through 1-slot mailboxes, scheduled by
 * a minimal FIFO run queue. The baseline for greenkernel's blocking primitives.
 *
 * Interface: rawMailboxPingPong(rounds, probe) -> Runner.
 * Invariants:
 *  - a mailbox holds at most one value; a receiver finding it empty (or a sender finding it
 *    full) registers itself as the box's waiter and yields BLOCKED, which the scheduler does not
 *    re-enqueue; the peer's send (or receive) makes the waiter runnable again;
 *  - a thread yielding YIELD is re-enqueued (unused by the ping-pong, kept so the scheduler is
 *    a real one: it must tell a block from a yield on every switch);
 *  - one run() does 2 x rounds hand-offs, each a switch to the other thread.
 */
import type { Probe, Runner } from '../types.ts';
import { RingQueue } from './ring-queue.ts';

const YIELD = 0;
const BLOCKED = 1;
type Signal = typeof YIELD | typeof BLOCKED;

interface Task {
  gen: Generator<Signal, void, undefined> | null;
}

interface Mailbox {
  full: boolean;
  value: number;
  receiver: Task | null;
  sender: Task | null;
}

function mailbox(): Mailbox {
  return { full: false, value: 0, receiver: null, sender: null };
}

/**
 * Two threads exchanging `rounds` messages each way over two 1-slot mailboxes.
 *
 * @example
 * rawMailboxPingPong(5000, null).run(); // 10,000 blocking hand-offs
 */
export function rawMailboxPingPong(rounds: number, probe: Probe | null): Runner {
  return {
    mode: 'sync',
    run(): void {
      const runq = new RingQueue<Task>(4);
      const toA = mailbox();
      const toB = mailbox();

      // Non-blocking halves of send and receive; the caller yields BLOCKED when they fail.
      const trySend = (box: Mailbox, value: number, self: Task): boolean => {
        if (box.full) {
          box.sender = self;
          return false;
        }
        box.full = true;
        box.value = value;
        const r = box.receiver;
        if (r !== null) {
          box.receiver = null;
          runq.push(r);
        }
        return true;
      };
      const tryReceive = (box: Mailbox, self: Task): boolean => {
        if (!box.full) {
          box.receiver = self;
          return false;
        }
        box.full = false;
        const s = box.sender;
        if (s !== null) {
          box.sender = null;
          runq.push(s);
        }
        return true;
      };

      const a: Task = { gen: null };
      const b: Task = { gen: null };
      a.gen = (function* pinger(): Generator<Signal, void, undefined> {
        for (let i = 0; i < rounds; i++) {
          if (probe !== null) probe.log.push(0);
          while (!trySend(toB, i, a)) yield BLOCKED;
          while (!tryReceive(toA, a)) yield BLOCKED;
        }
      })();
      b.gen = (function* ponger(): Generator<Signal, void, undefined> {
        for (let i = 0; i < rounds; i++) {
          while (!tryReceive(toB, b)) yield BLOCKED;
          if (probe !== null) probe.log.push(1);
          while (!trySend(toA, toB.value, b)) yield BLOCKED;
        }
      })();
      runq.push(a);
      runq.push(b);
      const limit = 4 * rounds + 4;
      for (let step = 0; step < limit && runq.size > 0; step++) {
        const t = runq.shift()!;
        const r = t.gen!.next();
        if (r.done !== true && r.value === YIELD) runq.push(t);
      }
    },
  };
}
