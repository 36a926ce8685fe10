/**
 * A synchronous scheduler for Effect 4: every fiber of a run shares one FIFO task queue, which
 * the caller drains without the event loop. Effect's own `runSync` gives each forked fiber a
 * dispatcher of its own that drains on a microtask, so forked fibers cannot run under it.
 *
 * Interface: SyncScheduler (an Effect `Scheduler`), runSyncShared(effect).
 * Invariants: tasks run in the order they were scheduled (priorities are ignored: the workloads
 * use one priority); drain() runs until the queue is empty, at most `limit` tasks; a fiber's
 * operation budget is Effect's own (MixedScheduler's shouldYield).
 */
import type * as EffectLib from 'effect';
import { optionalPackage } from '../optional.ts';

// Effect is a development dependency: loaded through optional.ts, never imported statically.
const { Effect, Scheduler } = optionalPackage<typeof EffectLib>('effect');

class SharedDispatcher implements EffectLib.Scheduler.SchedulerDispatcher {
  private tasks: ((() => void) | undefined)[] = [];
  private head = 0;

  scheduleTask(task: () => void, _priority: number): void {
    this.tasks.push(task);
  }

  flush(): void {
    this.drain(Number.MAX_SAFE_INTEGER);
  }

  /** Runs queued tasks (and those they queue) until none is left or `limit` have run. */
  drain(limit: number): number {
    let n = 0;
    while (this.head < this.tasks.length && n < limit) {
      const task = this.tasks[this.head]!;
      this.tasks[this.head++] = undefined;
      task();
      n++;
      if (this.head >= 4096 && this.head * 2 >= this.tasks.length) {
        this.tasks = this.tasks.slice(this.head);
        this.head = 0;
      }
    }
    if (this.head === this.tasks.length) {
      this.tasks.length = 0;
      this.head = 0;
    }
    return n;
  }
}

/** An Effect scheduler whose fibers all share one synchronously drained queue. */
export class SyncScheduler implements EffectLib.Scheduler.Scheduler {
  readonly executionMode = 'sync' as const;
  readonly dispatcher = new SharedDispatcher();
  private readonly budget = new Scheduler.MixedScheduler('sync');

  shouldYield(fiber: EffectLib.Fiber.Fiber<unknown, unknown>): boolean {
    return this.budget.shouldYield(fiber);
  }

  makeDispatcher(): EffectLib.Scheduler.SchedulerDispatcher {
    return this.dispatcher;
  }
}

/**
 * Runs `effect` (and every fiber it forks) to completion on a SyncScheduler; returns its value.
 * Throws if it failed or could not finish without the event loop.
 *
 * @example
 * runSyncShared(Effect.gen(function* () { yield* Effect.yieldNow; return 1; })); // 1
 */
export function runSyncShared<A, E>(effect: EffectLib.Effect.Effect<A, E>): A {
  const scheduler = new SyncScheduler();
  const fiber = Effect.runFork(effect, { scheduler });
  scheduler.dispatcher.flush();
  const exit = fiber.pollUnsafe();
  if (exit === undefined) throw new Error('the effect did not finish on the synchronous scheduler');
  if (exit._tag === 'Failure') throw new Error(`the effect failed: ${String(exit.cause)}`);
  return exit.value;
}
