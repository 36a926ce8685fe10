/**
 * Raw generators: the floor every other contender is measured against.
 *
 * Interface: rawThread, trampolinePingPong, runQueuePingPong, trampolineRoundRobin,
 * runQueueRoundRobin, rawSpawnExit.
 * Invariants:
 *  - a raw thread is a generator that logs its id (when probed) and then does a bare `yield`;
 *    at depth d it is suspended d generator frames deep, the outer d-1 frames delegating with
 *    plain `yield*`, so every resume re-enters all d frames (the cost greenkernel's
 *    scheduler-owned frame stack avoids);
 *  - the trampoline is the least a scheduler can do: call next() on each thread in a fixed
 *    order, no queue; the run-queue variants dequeue, resume and re-enqueue through a FIFO ring;
 *  - ping-pong runs do 2 x rounds switches; round-robin runners keep their threads across
 *    runs and do rounds x threads switches per run.
 */
import type { Probe, Runner } from '../types.ts';
import { RingQueue } from './ring-queue.ts';

/** What a raw thread's generator yields (nothing: a bare `yield` gives up the processor). */
export type RawThread = Generator<undefined, void, undefined>;

function* leaf(id: number, rounds: number, probe: Probe | null): RawThread {
  for (let i = 0; i < rounds; i++) {
    if (probe !== null) probe.log.push(id);
    yield;
  }
}

function* nest(depth: number, id: number, rounds: number, probe: Probe | null): RawThread {
  if (depth <= 2) yield* leaf(id, rounds, probe);
  else yield* nest(depth - 1, id, rounds, probe);
}

/**
 * A raw thread that yields `rounds` times, suspended `depth` generator frames deep.
 *
 * @example
 * const g = rawThread(5, 0, 10, null); g.next(); // now suspended 5 frames deep
 */
export function rawThread(
  depth: number,
  id: number,
  rounds: number,
  probe: Probe | null,
): RawThread {
  return depth <= 1 ? leaf(id, rounds, probe) : nest(depth, id, rounds, probe);
}

/**
 * Two raw threads resumed alternately by a fixed loop: the floor of a switch.
 *
 * @example
 * trampolinePingPong(5000, 1, null).run(); // 10,000 switches
 */
export function trampolinePingPong(rounds: number, depth: number, probe: Probe | null): Runner {
  return {
    mode: 'sync',
    run(): void {
      const a = rawThread(depth, 0, rounds, probe);
      const b = rawThread(depth, 1, rounds, probe);
      for (let i = 0; i <= rounds; i++) {
        a.next();
        b.next();
      }
    },
  };
}

/**
 * Two raw threads scheduled through a FIFO run queue: dequeue, resume, re-enqueue unless done.
 *
 * @example
 * runQueuePingPong(5000, 5, null).run(); // 10,000 switches, each resuming 5 frames
 */
export function runQueuePingPong(rounds: number, depth: number, probe: Probe | null): Runner {
  return {
    mode: 'sync',
    run(): void {
      const q = new RingQueue<RawThread>(4);
      q.push(rawThread(depth, 0, rounds, probe));
      q.push(rawThread(depth, 1, rounds, probe));
      const limit = 2 * rounds + 2;
      for (let step = 0; step < limit && q.size > 0; step++) {
        const g = q.shift()!;
        if (g.next().done !== true) q.push(g);
      }
    },
  };
}

// Threads of a persistent round robin never finish within a benchmark's lifetime.
const FOREVER = Number.MAX_SAFE_INTEGER;

/**
 * `threads` raw threads created once, resumed in a fixed order: each run() does `rounds` rounds.
 *
 * @example
 * const r = trampolineRoundRobin(1000, 10, 1, null); r.run(); // 10,000 switches
 */
export function trampolineRoundRobin(
  threads: number,
  rounds: number,
  depth: number,
  probe: Probe | null,
): Runner {
  const gens: RawThread[] = [];
  for (let i = 0; i < threads; i++) gens.push(rawThread(depth, i, FOREVER, probe));
  return {
    mode: 'sync',
    run(): void {
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < threads; i++) gens[i]!.next();
      }
    },
  };
}

/**
 * `threads` raw threads created once and scheduled through a FIFO run queue.
 *
 * @example
 * const r = runQueueRoundRobin(1000, 10, 5, null); r.run(); // 10,000 switches, 5 frames deep
 */
export function runQueueRoundRobin(
  threads: number,
  rounds: number,
  depth: number,
  probe: Probe | null,
): Runner {
  const q = new RingQueue<RawThread>(threads);
  for (let i = 0; i < threads; i++) q.push(rawThread(depth, i, FOREVER, probe));
  const switches = threads * rounds;
  return {
    mode: 'sync',
    run(): void {
      for (let step = 0; step < switches; step++) {
        const g = q.shift()!;
        g.next();
        q.push(g);
      }
    },
  };
}

function* oneShot(id: number, probe: Probe | null): RawThread {
  if (probe !== null) probe.log.push(id);
}

/**
 * The body of one raw spawn + exit thread: logs `id` and ends.
 *
 * @example
 * const g = rawSpawnBody(7, null); g.next(); // done
 */
export function rawSpawnBody(id: number, probe: Probe | null): RawThread {
  return oneShot(id, probe);
}

/**
 * Creates `batch` raw threads and runs each to completion: the floor of spawn + exit.
 *
 * @example
 * rawSpawnExit(1000, null).run(); // 1,000 threads created and finished
 */
export function rawSpawnExit(batch: number, probe: Probe | null): Runner {
  return {
    mode: 'sync',
    run(): void {
      const q = new RingQueue<RawThread>(batch);
      for (let i = 0; i < batch; i++) q.push(oneShot(i, probe));
      for (let step = 0; step < batch && q.size > 0; step++) {
        const g = q.shift()!;
        if (g.next().done !== true) q.push(g);
      }
    },
  };
}
