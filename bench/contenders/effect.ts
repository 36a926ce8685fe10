/**
 * Effect 4 contenders: fibers of the `effect` package.
 *
 * Interface: effectYieldPingPong, effectRoundRobin, effectQueuePingPong, effectSpawnExit.
 * Invariants:
 *  - `yieldNow` workloads run on the synchronous shared scheduler (effect-scheduler.ts): the
 *    cheapest way Effect can switch fibers, with no event-loop turn;
 *  - the Queue ping-pong is a blocking hand-off over two bounded(1) queues, run either with
 *    Effect's default scheduler (runPromise: what an application gets) or the synchronous one;
 *  - every run() forks its fibers afresh and returns once all of them have been joined.
 */
import type * as EffectLib from 'effect';
import { optionalPackage } from '../optional.ts';
import type { Probe, Runner } from '../types.ts';
import { runSyncShared } from './effect-scheduler.ts';

// Effect is a development dependency: loaded through optional.ts, never imported statically.
const { Effect, Fiber, Queue } = optionalPackage<typeof EffectLib>('effect');

function yieldLoop(id: number, rounds: number, probe: Probe | null): EffectLib.Effect.Effect<void> {
  return Effect.gen(function* () {
    for (let i = 0; i < rounds; i++) {
      if (probe !== null) probe.log.push(id);
      yield* Effect.yieldNow;
    }
  });
}

/**
 * `threads` fibers each calling `yieldNow` `rounds` times, on the synchronous scheduler.
 *
 * @example
 * effectRoundRobin(1000, 50, null).run(); // 50,000 switches
 */
export function effectRoundRobin(threads: number, rounds: number, probe: Probe | null): Runner {
  const program = Effect.gen(function* () {
    const fibers: EffectLib.Fiber.Fiber<void>[] = [];
    for (let i = 0; i < threads; i++)
      fibers.push(yield* Effect.forkChild(yieldLoop(i, rounds, probe)));
    for (let i = 0; i < threads; i++) yield* Fiber.join(fibers[i]!);
  });
  return {
    mode: 'sync',
    run(): void {
      runSyncShared(program);
    },
  };
}

/**
 * Two fibers yielding to each other `rounds` times each, on the synchronous scheduler.
 *
 * @example
 * effectYieldPingPong(5000, null).run(); // 10,000 switches
 */
export function effectYieldPingPong(rounds: number, probe: Probe | null): Runner {
  return effectRoundRobin(2, rounds, probe);
}

/**
 * Two fibers exchanging `rounds` messages each way over two bounded(1) queues.
 *
 * @example
 * await effectQueuePingPong(5000, 'default', null).run(); // 10,000 hand-offs
 */
export function effectQueuePingPong(
  rounds: number,
  scheduler: 'default' | 'sync',
  probe: Probe | null,
): Runner {
  const program = Effect.gen(function* () {
    const toA = yield* Queue.bounded<number>(1);
    const toB = yield* Queue.bounded<number>(1);
    const pinger = yield* Effect.forkChild(
      Effect.gen(function* () {
        for (let i = 0; i < rounds; i++) {
          if (probe !== null) probe.log.push(0);
          yield* Queue.offer(toB, i);
          yield* Queue.take(toA);
        }
      }),
    );
    const ponger = yield* Effect.forkChild(
      Effect.gen(function* () {
        for (let i = 0; i < rounds; i++) {
          const v = yield* Queue.take(toB);
          if (probe !== null) probe.log.push(1);
          yield* Queue.offer(toA, v);
        }
      }),
    );
    yield* Fiber.join(pinger);
    yield* Fiber.join(ponger);
  });
  if (scheduler === 'sync') {
    return {
      mode: 'sync',
      run(): void {
        runSyncShared(program);
      },
    };
  }
  return {
    mode: 'async',
    async run(): Promise<void> {
      await Effect.runPromise(program);
    },
  };
}

/**
 * Forks `batch` fibers that succeed at once and joins each, on the synchronous scheduler.
 *
 * @example
 * effectSpawnExit(1000, null).run();
 */
export function effectSpawnExit(batch: number, probe: Probe | null): Runner {
  const program = Effect.gen(function* () {
    const fibers: EffectLib.Fiber.Fiber<void>[] = [];
    for (let i = 0; i < batch; i++) {
      fibers.push(
        yield* Effect.forkChild(
          Effect.sync(() => {
            if (probe !== null) probe.log.push(i);
          }),
        ),
      );
    }
    for (let i = 0; i < batch; i++) yield* Fiber.join(fibers[i]!);
  });
  return {
    mode: 'sync',
    run(): void {
      runSyncShared(program);
    },
  };
}
