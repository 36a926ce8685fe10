/**
 * Effection 4 contenders: structured-concurrency tasks (generators driven by Effection's
 * reducer).
 *
 * Interface: effectionYield, effectionYieldPingPong, effectionChannelPingPong,
 * effectionRoundRobin, effectionSpawnExit.
 * Invariants:
 *  - Effection has no "give up the processor" primitive; the cheapest equivalent is an action
 *    that resolves itself at once: the task is re-queued behind every task already queued in
 *    Effection's reducer, so two such tasks alternate, synchronously, without the event loop;
 *  - the channel ping-pong is a blocking hand-off over two channels (2 x rounds per run);
 *  - every run() calls Effection's run() afresh and resolves when all its tasks have finished.
 */
import type * as EffectionLib from 'effection';
import type { Operation, Task } from 'effection';
import { optionalPackage } from '../optional.ts';
import type { Probe, Runner } from '../types.ts';

// Effection is a development dependency: loaded through optional.ts, never imported statically.
const { action, createChannel, run, spawn } = optionalPackage<typeof EffectionLib>('effection');

const noop = (): void => {};

/**
 * An operation that yields to every other queued task, then continues.
 *
 * @example
 * yield* effectionYield();
 */
export function effectionYield(): Operation<void> {
  return action<void>((resolve) => {
    resolve();
    return noop;
  });
}

function* yieldLoop(id: number, rounds: number, probe: Probe | null): Operation<void> {
  for (let i = 0; i < rounds; i++) {
    if (probe !== null) probe.log.push(id);
    yield* effectionYield();
  }
}

/**
 * Two tasks yielding to each other `rounds` times each.
 *
 * @example
 * await effectionYieldPingPong(5000, null).run(); // 10,000 switches
 */
export function effectionYieldPingPong(rounds: number, probe: Probe | null): Runner {
  return effectionRoundRobin(2, rounds, probe);
}

/**
 * Two tasks exchanging `rounds` messages each way over two channels.
 *
 * @example
 * await effectionChannelPingPong(5000, null).run(); // 10,000 hand-offs
 */
export function effectionChannelPingPong(rounds: number, probe: Probe | null): Runner {
  return {
    mode: 'async',
    async run(): Promise<void> {
      await run(function* (): Operation<void> {
        const toA = createChannel<number, void>();
        const toB = createChannel<number, void>();
        const inboxA = yield* toA;
        const inboxB = yield* toB;
        const ponger = yield* spawn(function* (): Operation<void> {
          for (let i = 0; i < rounds; i++) {
            const msg = yield* inboxB.next();
            if (probe !== null) probe.log.push(1);
            yield* toA.send(msg.done === true ? -1 : msg.value);
          }
        });
        const pinger = yield* spawn(function* (): Operation<void> {
          for (let i = 0; i < rounds; i++) {
            if (probe !== null) probe.log.push(0);
            yield* toB.send(i);
            yield* inboxA.next();
          }
        });
        yield* pinger;
        yield* ponger;
      });
    },
  };
}

/**
 * `threads` tasks yielding `rounds` times each; spawned afresh in every run.
 *
 * @example
 * await effectionRoundRobin(1000, 50, null).run(); // 50,000 switches
 */
export function effectionRoundRobin(threads: number, rounds: number, probe: Probe | null): Runner {
  return {
    mode: 'async',
    async run(): Promise<void> {
      await run(function* (): Operation<void> {
        const tasks: Task<void>[] = [];
        for (let i = 0; i < threads; i++)
          tasks.push(yield* spawn(() => yieldLoop(i, rounds, probe)));
        for (let i = 0; i < threads; i++) yield* tasks[i]!;
      });
    },
  };
}

/**
 * Spawns `batch` tasks that return at once and waits for each.
 *
 * @example
 * await effectionSpawnExit(1000, null).run();
 */
export function effectionSpawnExit(batch: number, probe: Probe | null): Runner {
  return {
    mode: 'async',
    async run(): Promise<void> {
      await run(function* (): Operation<void> {
        const tasks: Task<void>[] = [];
        for (let i = 0; i < batch; i++) {
          tasks.push(
            yield* spawn(function* (): Operation<void> {
              if (probe !== null) probe.log.push(i);
            }),
          );
        }
        for (let i = 0; i < batch; i++) yield* tasks[i]!;
      });
    },
  };
}
