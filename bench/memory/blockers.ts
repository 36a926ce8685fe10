/**
 * Blockers: for each contender, a way to leave `count` threads blocked `depth` frames deep, for
 * the bytes-per-blocked-thread and capacity measurements.
 *
 * Interface: BLOCKERS (contender id -> Blocker), Blocker.block(count, depth) -> Blocked.
 * Invariants:
 *  - BLOCKERS holds only contenders whose library is installed (optional.ts);
 *  - block() returns only once every thread has reached its deepest frame and is waiting there
 *    (for event-loop contenders: once the synchronous part has run; none needs a tick);
 *  - a thread is `depth` frames deep: raw generators, Effection and Effect nest generators with
 *    `yield*`, async functions nest awaits, greenkernel nests `yield* call(fn)`; the
 *    thread-records ablation holds each raw chain in a Thread record (nothing schedules it);
 *  - all threads of one blocker wait on one shared thing (a pending promise, a Completion...),
 *    so the per-thread figure holds only what each thread itself costs, plus the handle
 *    the harness keeps for it where the contender has no scheduler of its own to keep it;
 *  - blocked() counts threads that reached the deepest frame and have not left it;
 *  - release() wakes every thread still waiting and lets it finish;
 *  - releaseOneByOne (greenkernel Semaphore.down() only) wakes the threads one at a time, each
 *    running to its end before the next wake, until all are done or the budget runs out; a
 *    release() after it finishes whatever it left.
 */
import type * as EffectLib from 'effect';
import type * as EffectionLib from 'effection';
import type { Operation, Task } from 'effection';
import { Completion, Kernel, Semaphore, call, type Routine } from '../../lib/index.ts';
import { Thread } from '../../lib/kernel/thread.ts';
import { SyncScheduler } from '../contenders/effect-scheduler.ts';
import { runWithin } from '../contenders/greenkernel-drain.ts';
import { missingPackageFor, optionalPackage } from '../optional.ts';

// Effection and Effect are development dependencies: loaded through optional.ts, never imported
// statically; BLOCKERS leaves out the contenders whose library is not installed.
const { Deferred, Effect, Fiber } = optionalPackage<typeof EffectLib>('effect');
const { run, spawn, withResolvers } = optionalPackage<typeof EffectionLib>('effection');

export interface Blocked {
  /** Threads waiting at their deepest frame now. */
  blocked(): number;
  /** Wakes every thread and waits until all have finished. */
  release(): Promise<void>;
  /** Wakes the threads one at a time within `budgetSeconds`; absent where it means nothing. */
  releaseOneByOne?(budgetSeconds: number): OneByOne;
}

/** What a one-at-a-time release did. */
export interface OneByOne {
  /** Threads woken (the last one woken may not have run yet when the budget ran out). */
  readonly released: number;
  readonly seconds: number;
  /** Every thread woken and finished, no thread left alive. */
  readonly complete: boolean;
}

export interface Blocker {
  readonly label: string;
  block(count: number, depth: number): Blocked;
}

interface Counter {
  n: number;
}

// ---------------------------------------------------------------- raw generators

function* rawLeaf(counter: Counter): Generator<undefined, void, undefined> {
  counter.n++;
  yield;
  counter.n--;
}
function* rawNest(depth: number, counter: Counter): Generator<undefined, void, undefined> {
  if (depth <= 2) yield* rawLeaf(counter);
  else yield* rawNest(depth - 1, counter);
}

const raw: Blocker = {
  label: 'raw generators, suspended yield* chain',
  block(count, depth) {
    const counter: Counter = { n: 0 };
    let gens: Generator<undefined, void, undefined>[] = new Array<
      Generator<undefined, void, undefined>
    >(count);
    for (let i = 0; i < count; i++) {
      const g = depth <= 1 ? rawLeaf(counter) : rawNest(depth, counter);
      g.next();
      gens[i] = g;
    }
    return {
      blocked: () => counter.n,
      release: async () => {
        for (const g of gens) g.next();
        gens = [];
      },
    };
  },
};

// ---------------------------------------------------------------- ablation: thread records

// The same raw chains, each held by a new greenkernel Thread record instead of an array slot:
// with raw-generators, what a thread record itself weighs — the floor of greenkernel's bytes
// per thread while a thread is one such record (issue 13). Not a runtime: nothing schedules them.
const threadRecords: Blocker = {
  label: 'ablation: raw generator chains, each held by a new Thread record (not a runtime)',
  block(count, depth) {
    const counter: Counter = { n: 0 };
    const kernel = new Kernel({ name: 'blocked-records' });
    let records: Thread[] = new Array<Thread>(count);
    for (let i = 0; i < count; i++) {
      const g = depth <= 1 ? rawLeaf(counter) : rawNest(depth, counter);
      g.next();
      records[i] = new Thread(kernel, i + 1, 'blocked', g as unknown as Routine, 0, 0);
    }
    return {
      blocked: () => counter.n,
      release: async () => {
        for (const t of records) t.top!.next();
        records = [];
      },
    };
  },
};

// ---------------------------------------------------------------- async/await

async function asyncLeaf(gate: Promise<void>, counter: Counter): Promise<void> {
  counter.n++;
  await gate;
  counter.n--;
}
async function asyncNest(depth: number, gate: Promise<void>, counter: Counter): Promise<void> {
  if (depth <= 2) await asyncLeaf(gate, counter);
  else await asyncNest(depth - 1, gate, counter);
}

const asyncAwait: Blocker = {
  label: 'async/await, awaiting a pending promise',
  block(count, depth) {
    const counter: Counter = { n: 0 };
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const all: Promise<void>[] = new Array<Promise<void>>(count);
    for (let i = 0; i < count; i++)
      all[i] = depth <= 1 ? asyncLeaf(gate, counter) : asyncNest(depth, gate, counter);
    return {
      blocked: () => counter.n,
      release: async () => {
        open();
        await Promise.all(all);
      },
    };
  },
};

// ---------------------------------------------------------------- greenkernel

function gkBlocker(label: string, kind: 'completion' | 'semaphore'): Blocker {
  return {
    label,
    block(count, depth) {
      const kernel = new Kernel({ name: `blocked-${kind}` });
      const done = new Completion<void>('gate');
      const slots = new Semaphore(0, 'gate');
      function* leaf(): Routine<void> {
        if (kind === 'completion') yield* done.wait();
        else yield* slots.down();
      }
      function* nest(d: number): Routine<void> {
        if (d <= 2) yield* call(leaf);
        else yield* call(nest, d - 1);
      }
      const body = depth <= 1 ? leaf : () => nest(depth);
      for (let i = 0; i < count; i++) kernel.spawn(body, { name: 'blocked' });
      kernel.runUntilIdle();
      const held: Blocked = {
        blocked(): number {
          let n = 0;
          for (const t of kernel.threads) {
            if (
              t.stateName === 'blocked' &&
              t.waitingFor?.kind === kind &&
              t.frames.length === depth
            )
              n++;
          }
          return n;
        },
        release: async () => {
          if (kind === 'completion') done.complete();
          else if (slots.waiting > 0) slots.up(slots.waiting);
          kernel.runSync();
        },
      };
      return kind === 'semaphore'
        ? {
            ...held,
            releaseOneByOne: (budgetSeconds) => releaseOneByOne(kernel, slots, budgetSeconds),
          }
        : held;
    },
  };
}

/**
 * Wakes the waiters of `slots` one at a time: a releaser thread up()s once and yields, so each
 * woken thread runs to its end before the next wake; stops when the budget runs out.
 */
function releaseOneByOne(kernel: Kernel, slots: Semaphore, budgetSeconds: number): OneByOne {
  const waiting = slots.waiting;
  kernel.spawn(
    function* releaser(): Routine<void> {
      while (slots.waiting > 0) {
        slots.up();
        yield;
      }
    },
    { name: 'releaser' },
  );
  const t0 = performance.now();
  const idle = runWithin(kernel, t0 + budgetSeconds * 1000);
  const seconds = (performance.now() - t0) / 1000;
  return {
    released: waiting - slots.waiting,
    seconds,
    complete: idle && slots.waiting === 0 && kernel.liveCount === 0,
  };
}

// ---------------------------------------------------------------- Effection

function* effectionLeaf(gate: Operation<void>, counter: Counter): Operation<void> {
  counter.n++;
  yield* gate;
  counter.n--;
}
function* effectionNest(depth: number, gate: Operation<void>, counter: Counter): Operation<void> {
  if (depth <= 2) yield* effectionLeaf(gate, counter);
  else yield* effectionNest(depth - 1, gate, counter);
}

const effection: Blocker = {
  label: 'Effection 4 tasks, waiting on withResolvers()',
  block(count, depth) {
    const counter: Counter = { n: 0 };
    const gate = withResolvers<void>();
    const root = run(function* (): Operation<void> {
      const tasks: Task<void>[] = new Array<Task<void>>(count);
      for (let i = 0; i < count; i++) {
        tasks[i] = yield* spawn(() =>
          depth <= 1
            ? effectionLeaf(gate.operation, counter)
            : effectionNest(depth, gate.operation, counter),
        );
      }
      for (let i = 0; i < count; i++) yield* tasks[i]!;
    });
    return {
      blocked: () => counter.n,
      release: async () => {
        gate.resolve();
        await root;
      },
    };
  },
};

// ---------------------------------------------------------------- Effect

function effectLeaf(
  gate: EffectLib.Deferred.Deferred<void>,
  counter: Counter,
): EffectLib.Effect.Effect<void> {
  return Effect.gen(function* () {
    counter.n++;
    yield* Deferred.await(gate);
    counter.n--;
  });
}
function effectNest(
  depth: number,
  gate: EffectLib.Deferred.Deferred<void>,
  counter: Counter,
): EffectLib.Effect.Effect<void> {
  return Effect.gen(function* () {
    if (depth <= 2) yield* effectLeaf(gate, counter);
    else yield* effectNest(depth - 1, gate, counter);
  });
}

const effect: Blocker = {
  label: 'Effect 4 fibers, awaiting a Deferred',
  block(count, depth) {
    const counter: Counter = { n: 0 };
    const gate = Deferred.makeUnsafe<void>();
    const scheduler = new SyncScheduler();
    const root = Effect.runFork(
      Effect.gen(function* () {
        const fibers: EffectLib.Fiber.Fiber<void>[] = new Array<EffectLib.Fiber.Fiber<void>>(count);
        for (let i = 0; i < count; i++) {
          fibers[i] = yield* Effect.forkChild(
            depth <= 1 ? effectLeaf(gate, counter) : effectNest(depth, gate, counter),
          );
        }
        for (let i = 0; i < count; i++) yield* Fiber.join(fibers[i]!);
      }),
      { scheduler },
    );
    scheduler.dispatcher.flush();
    return {
      blocked: () => counter.n,
      release: async () => {
        Deferred.doneUnsafe(gate, Effect.void);
        scheduler.dispatcher.flush();
        if (root.pollUnsafe() === undefined)
          throw new Error('Effect fibers did not finish after release');
      },
    };
  },
};

const ALL_BLOCKERS: Readonly<Record<string, Blocker>> = {
  'raw-generators': raw,
  'ablation-blocked-records': threadRecords,
  'async-await': asyncAwait,
  'greenkernel-completion': gkBlocker(
    'greenkernel, Completion.wait() under call frames',
    'completion',
  ),
  'greenkernel-semaphore-down': gkBlocker(
    'greenkernel, Semaphore.down() under call frames',
    'semaphore',
  ),
  'effection-tasks': effection,
  'effect-fibers': effect,
};

/** Every contender's blocker, by contender id: those whose library is installed. */
export const BLOCKERS: Readonly<Record<string, Blocker>> = Object.fromEntries(
  Object.entries(ALL_BLOCKERS).filter(([id]) => missingPackageFor(id) === null),
);
