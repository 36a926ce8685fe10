/**
 * greenkernel switch workloads: bare `yield` between threads, at a chosen call depth.
 *
 * Interface: gkThreadBody, gkYieldPingPong, gkRoundRobin, gkSpawnExit(batch, probe, closures).
 * Invariants:
 *  - at depth d a thread is suspended d generator frames deep: its body and d-1 subroutines,
 *    entered with `yield* call(fn)` (frames on the scheduler-owned stack, style 'call') or with
 *    plain `yield* fn()` (style 'plain', which re-enters every caller on each resume);
 *  - the leaf logs its thread id (when probed) and does a bare `yield`, one switch each;
 *  - ping-pong runs do 2 x rounds switches on a fresh kernel with runSync(); the round robin
 *    keeps one kernel and its threads across runs and dispatches rounds x threads per run.
 */
import { Kernel, call, currentThread, type Routine } from '../../lib/index.ts';
import type { Probe, Runner } from '../types.ts';

/** How a thread enters its subroutines. */
export type CallStyle = 'call' | 'plain';

function* leaf(id: number, rounds: number, probe: Probe | null): Routine<void> {
  for (let i = 0; i < rounds; i++) {
    if (probe !== null) probe.log.push(id);
    yield;
  }
}

function* nestCall(depth: number, id: number, rounds: number, probe: Probe | null): Routine<void> {
  if (depth <= 2) yield* call(leaf, id, rounds, probe);
  else yield* call(nestCall, depth - 1, id, rounds, probe);
}

function* nestPlain(depth: number, id: number, rounds: number, probe: Probe | null): Routine<void> {
  if (depth <= 2) yield* leaf(id, rounds, probe);
  else yield* nestPlain(depth - 1, id, rounds, probe);
}

/**
 * The body of a thread that yields `rounds` times, `depth` frames deep.
 *
 * @example
 * kernel.spawn(gkThreadBody(5, 'call', 0, 100, null));
 */
export function gkThreadBody(
  depth: number,
  style: CallStyle,
  id: number,
  rounds: number,
  probe: Probe | null,
): () => Routine<void> {
  if (depth <= 1) return () => leaf(id, rounds, probe);
  if (style === 'call') return () => nestCall(depth, id, rounds, probe);
  return () => nestPlain(depth, id, rounds, probe);
}

/**
 * Two threads yielding to each other `rounds` times each, on a fresh kernel per run; with
 * `trace`, the schedule trace is recorded (every event kept: maxTraceLines is set above them).
 *
 * @example
 * gkYieldPingPong(5000, 5, 'call', null).run(); // 10,000 switches at depth 5
 */
export function gkYieldPingPong(
  rounds: number,
  depth: number,
  style: CallStyle,
  probe: Probe | null,
  trace = false,
): Runner {
  const bodyA = gkThreadBody(depth, style, 0, rounds, probe);
  const bodyB = gkThreadBody(depth, style, 1, rounds, probe);
  return {
    mode: 'sync',
    run(): void {
      const kernel = new Kernel({ name: 'bench', trace, maxTraceLines: 4 * rounds + 16 });
      kernel.spawn(bodyA, { name: 'ping' });
      kernel.spawn(bodyB, { name: 'pong' });
      kernel.runSync();
    },
  };
}

const FOREVER = Number.MAX_SAFE_INTEGER;

/**
 * `threads` threads spawned once; each run() dispatches `rounds` rounds of them.
 *
 * @example
 * const r = gkRoundRobin(1000, 10, 5, null); r.run(); // 10,000 switches, 5 frames deep
 */
export function gkRoundRobin(
  threads: number,
  rounds: number,
  depth: number,
  probe: Probe | null,
): Runner {
  const kernel = new Kernel({ name: 'bench-rr' });
  for (let i = 0; i < threads; i++)
    kernel.spawn(gkThreadBody(depth, 'call', i, FOREVER, probe), { name: 'rr' });
  const steps = threads * rounds;
  return {
    mode: 'sync',
    run(): void {
      const done = kernel.runUntilIdle(steps);
      if (done !== steps) throw new Error(`round robin dispatched ${done} of ${steps} threads`);
    },
  };
}

/**
 * Spawns `batch` threads that exit at once, and runs the kernel until they all have. As the raw
 * and async contenders call one function `batch` times, every thread runs one body function
 * (it logs its index from its own thread id); with `closures`, each thread gets a body closure
 * of its own instead, as `kernel.spawn(function* () {...})` written inline in a loop does.
 *
 * @example
 * gkSpawnExit(1000, null).run(); // 1,000 spawns and exits
 */
export function gkSpawnExit(batch: number, probe: Probe | null, closures = false): Runner {
  const kernel = new Kernel({ name: 'bench-spawn' });
  let firstId = 0;
  function* oneShot(): Routine<void> {
    if (probe !== null) probe.log.push(currentThread().id - firstId);
  }
  const bodies: (() => Routine<void>)[] = [];
  for (let i = 0; closures && i < batch; i++) {
    bodies.push(function* oneShotClosure(): Routine<void> {
      if (probe !== null) probe.log.push(i);
    });
  }
  return {
    mode: 'sync',
    run(): void {
      if (closures) {
        for (let i = 0; i < batch; i++) kernel.spawn(bodies[i]!, { name: 'short' });
      } else {
        firstId = kernel.spawn(oneShot, { name: 'short' }).id;
        for (let i = 1; i < batch; i++) kernel.spawn(oneShot, { name: 'short' });
      }
      kernel.runSync();
    },
  };
}
