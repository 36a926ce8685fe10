/**
 * The floor of greenkernel's operation protocol: the raw 1-slot mailbox ping-pong, but each
 * thread blocks as a greenkernel thread does, through a typed `yield* op` over one reused
 * iterator object, with a wait/wake that hands the value over. Nothing else of a kernel: no
 * priorities, no thread records, no checks. It shows what the typed protocol alone costs over
 * a bare `yield`, so a hand-off's remaining nanoseconds can be told apart from it.
 *
 * Interface: protocolFloorPingPong(rounds, probe) -> Runner.
 * Invariants:
 *  - an operation completes at once (a unit was there: `next()` returns done) or blocks (the
 *    iterator yields BLOCK; the peer's up() stores the result and makes the thread runnable;
 *    the resumed iterator returns it), exactly as operation.ts does, with the per-call state in
 *    the running task;
 *  - one run() does 2 x rounds hand-offs, each a switch to the other thread.
 */
import type { Probe, Runner } from '../types.ts';
import { RingQueue } from './ring-queue.ts';

const BLOCK = Object.freeze({ instruction: 'block' });
const OP_IDLE = 0;
const OP_READY = 1;
const OP_BLOCK = 2;

interface Task {
  gen: Generator<unknown, void, unknown> | null;
  opState: number;
  opValue: unknown;
}

interface Gate {
  units: number;
  waiter: Task | null;
}

/**
 * Two threads exchanging `rounds` hand-offs each way over two semaphore-like gates, blocking
 * through `yield*` of a reused operation iterator.
 *
 * @example
 * protocolFloorPingPong(5000, null).run(); // 10,000 blocking hand-offs
 */
export function protocolFloorPingPong(rounds: number, probe: Probe | null): Runner {
  return {
    mode: 'sync',
    run(): void {
      const runq = new RingQueue<Task>(4);
      let current: Task | null = null;
      const done = { done: true as const, value: undefined as unknown };
      const blocked = Object.freeze({ done: false as const, value: BLOCK });
      const operation = {
        [Symbol.iterator]() {
          return operation;
        },
        next(): IteratorResult<unknown, unknown> {
          const t = current!;
          if (t.opState === OP_BLOCK) return blocked;
          done.value = t.opValue;
          t.opState = OP_IDLE;
          t.opValue = undefined;
          return done;
        },
      };
      const down = (gate: Gate): typeof operation => {
        const t = current!;
        if (gate.units > 0) {
          gate.units--;
          t.opState = OP_READY;
        } else {
          gate.waiter = t;
          t.opState = OP_BLOCK;
        }
        return operation;
      };
      const up = (gate: Gate): void => {
        const w = gate.waiter;
        if (w === null) {
          gate.units++;
          return;
        }
        gate.waiter = null;
        w.opState = OP_READY;
        w.opValue = undefined;
        runq.push(w);
      };
      const toA: Gate = { units: 0, waiter: null };
      const toB: Gate = { units: 0, waiter: null };
      const a: Task = { gen: null, opState: OP_IDLE, opValue: undefined };
      const b: Task = { gen: null, opState: OP_IDLE, opValue: undefined };
      a.gen = (function* pinger(): Generator<unknown, void, unknown> {
        for (let i = 0; i < rounds; i++) {
          if (probe !== null) probe.log.push(0);
          up(toB);
          yield* down(toA);
        }
      })();
      b.gen = (function* ponger(): Generator<unknown, void, unknown> {
        for (let i = 0; i < rounds; i++) {
          yield* down(toB);
          if (probe !== null) probe.log.push(1);
          up(toA);
        }
      })();
      runq.push(a);
      runq.push(b);
      const limit = 4 * rounds + 4;
      for (let step = 0; step < limit && runq.size > 0; step++) {
        const t = runq.shift()!;
        current = t;
        const r = t.gen!.next();
        if (r.done !== true && r.value !== BLOCK) runq.push(t);
      }
      current = null;
    },
  };
}
