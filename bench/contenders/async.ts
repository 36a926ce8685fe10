/**
 * async/await contenders: the host's own green threads, scheduled by the microtask queue.
 *
 * Interface: awaitNullPingPong, promisePingPong, awaitNullRoundRobin, asyncSpawnExit.
 * Invariants:
 *  - an `await null` loop gives up the processor once per iteration; the microtask queue is
 *    FIFO, so N loops started together run in round-robin order;
 *  - the promise ping-pong is a blocking hand-off: each side resolves the peer's pending
 *    promise and awaits a fresh one of its own (2 x rounds hand-offs per run);
 *  - at depth d the awaiting loop runs d async frames deep; the outer frames wait for the inner
 *    one's promise and are not re-entered per switch;
 *  - every run() creates its async functions afresh (they cannot outlive one run).
 */
import type { Probe, Runner } from '../types.ts';

async function awaitNullLoop(id: number, rounds: number, probe: Probe | null): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (probe !== null) probe.log.push(id);
    await null;
  }
}

async function nested(
  depth: number,
  id: number,
  rounds: number,
  probe: Probe | null,
): Promise<void> {
  if (depth <= 2) await awaitNullLoop(id, rounds, probe);
  else await nested(depth - 1, id, rounds, probe);
}

function asyncThread(
  depth: number,
  id: number,
  rounds: number,
  probe: Probe | null,
): Promise<void> {
  return depth <= 1 ? awaitNullLoop(id, rounds, probe) : nested(depth, id, rounds, probe);
}

/**
 * Two async functions each awaiting null `rounds` times; they interleave.
 *
 * @example
 * await awaitNullPingPong(5000, null).run(); // 10,000 switches
 */
export function awaitNullPingPong(rounds: number, probe: Probe | null): Runner {
  return {
    mode: 'async',
    async run(): Promise<void> {
      const a = awaitNullLoop(0, rounds, probe);
      const b = awaitNullLoop(1, rounds, probe);
      await a;
      await b;
    },
  };
}

/**
 * Two async functions resolving each other's promises: a blocking hand-off per switch.
 *
 * @example
 * await promisePingPong(5000, null).run(); // 10,000 hand-offs
 */
export function promisePingPong(rounds: number, probe: Probe | null): Runner {
  return {
    mode: 'async',
    async run(): Promise<void> {
      let wakeA: (() => void) | null = null;
      let wakeB: (() => void) | null = null;
      const waitA = (): Promise<void> => new Promise<void>((resolve) => (wakeA = resolve));
      const waitB = (): Promise<void> => new Promise<void>((resolve) => (wakeB = resolve));
      const ponger = async (): Promise<void> => {
        for (let i = 0; i < rounds; i++) {
          await waitB();
          if (probe !== null) probe.log.push(1);
          wakeA!();
        }
      };
      const pinger = async (): Promise<void> => {
        for (let i = 0; i < rounds; i++) {
          if (probe !== null) probe.log.push(0);
          const mine = waitA();
          wakeB!();
          await mine;
        }
      };
      const b = ponger(); // waits first
      const a = pinger();
      await a;
      await b;
    },
  };
}

/**
 * `threads` async loops, `rounds` awaits each, `depth` async frames deep; created per run.
 *
 * @example
 * await awaitNullRoundRobin(1000, 50, 1, null).run(); // 50,000 switches
 */
export function awaitNullRoundRobin(
  threads: number,
  rounds: number,
  depth: number,
  probe: Probe | null,
): Runner {
  return {
    mode: 'async',
    async run(): Promise<void> {
      const all: Promise<void>[] = [];
      for (let i = 0; i < threads; i++) all.push(asyncThread(depth, i, rounds, probe));
      await Promise.all(all);
    },
  };
}

async function oneShot(id: number, probe: Probe | null): Promise<void> {
  if (probe !== null) probe.log.push(id);
}

/**
 * Calls `batch` async functions that return at once, then waits for them.
 *
 * @example
 * await asyncSpawnExit(1000, null).run();
 */
export function asyncSpawnExit(batch: number, probe: Probe | null): Runner {
  return {
    mode: 'async',
    async run(): Promise<void> {
      const all: Promise<void>[] = new Array<Promise<void>>(batch);
      for (let i = 0; i < batch; i++) all[i] = oneShot(i, probe);
      await Promise.all(all);
    },
  };
}
