/**
 * Property-based tests of deadlock detection: random programs of threads taking random locks
 * (mutexes and an rwlock, some with timeouts) in random orders, with random sleeps, yields and
 * host calls, run under the seeded random scheduling policy.
 */
import test from 'ava';
import fc from 'fast-check';
import {
  DeadlockError,
  Kernel,
  Mutex,
  RWLock,
  StallError,
  TimeoutError,
  detectionReports,
  formatReport,
  hostcall,
  sleep,
  type CycleMode,
  type Report,
  type Thread,
} from '../../lib/index.ts';
import { isRealCycle } from '../../lib/debug.ts';

type Op =
  | { kind: 'lock'; lock: number; write: boolean; timeout: number | null }
  | { kind: 'unlock'; pick: number }
  | { kind: 'sleep'; ms: number }
  | { kind: 'yield' }
  | { kind: 'host' };
interface Program {
  locks: number; // mutexes L0..L(n-1); index n is the rwlock
  threads: Op[][];
  seed: number;
}

/** Most waits are untimed; one lock in five has a timeout of 1-5 ms. */
const timeoutArb: fc.Arbitrary<number | null> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5 }) },
);

const opArb = (locks: number, timeouts: boolean): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('lock' as const),
        lock: fc.nat(locks),
        write: fc.boolean(),
        timeout: timeouts ? timeoutArb : fc.constant(null),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('unlock' as const), pick: fc.nat(3) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('sleep' as const),
        ms: fc.integer({ min: 0, max: 3 }),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'yield' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'host' as const }) },
  );

const programArb = (timeouts: boolean): fc.Arbitrary<Program> =>
  fc.integer({ min: 2, max: 4 }).chain((locks) =>
    fc.record({
      locks: fc.constant(locks),
      threads: fc.array(fc.array(opArb(locks, timeouts), { minLength: 1, maxLength: 8 }), {
        minLength: 2,
        maxLength: 4,
      }),
      seed: fc.nat(1000),
    }),
  );

type Res = Mutex | RWLock;

function* worker(ops: Op[], res: Res[]) {
  const held: Res[] = [];
  const release = (r: Res): void => r.unlock();
  try {
    for (const op of ops) {
      if (op.kind === 'lock') {
        const r = res[op.lock]!;
        if (held.includes(r)) continue;
        const timeout = op.timeout ?? undefined;
        try {
          if (r instanceof Mutex) yield* r.lock(timeout);
          else if (op.write) yield* r.writeLock(timeout);
          else yield* r.readLock(timeout);
          held.push(r);
        } catch (error) {
          if (!(error instanceof TimeoutError)) throw error;
        }
      } else if (op.kind === 'unlock') {
        if (held.length > 0) release(held.splice(op.pick % held.length, 1)[0]!);
      } else if (op.kind === 'sleep') {
        yield* sleep(op.ms);
      } else if (op.kind === 'yield') {
        yield;
      } else {
        yield* hostcall(() => new Promise<void>((resolve) => setImmediate(resolve)));
      }
    }
  } finally {
    while (held.length > 0) release(held.pop()!);
  }
}

interface Outcome {
  error: unknown;
  kernel: Kernel;
  threads: Thread[];
  pendingTimers: number;
  pendingHost: number;
}

async function execute(
  p: Program,
  cycles: CycleMode,
  lockOrder: 'off' | 'warn' | 'fail' = 'off',
): Promise<Outcome> {
  const kernel = new Kernel({
    name: 'prop',
    seed: p.seed,
    policy: 'random',
    maxSteps: 100_000,
    detection: { cycles, lockOrder },
  });
  const res: Res[] = [
    ...Array.from({ length: p.locks }, (_, i) => new Mutex(`L${i}`)),
    new RWLock('RW'),
  ];
  const threads = p.threads.map((ops, i) =>
    kernel.spawn(() => worker(ops, res), { name: `t${i}` }),
  );
  let error: unknown;
  try {
    await kernel.run();
  } catch (e) {
    error = e;
  }
  return {
    error,
    kernel,
    threads,
    pendingTimers: kernel.pendingTimers,
    pendingHost: kernel.pendingHostCalls,
  };
}

/** Each reported cycle step's thread waits for a resource whose owners include the next one. */
function reportCyclesAreReal(r: Report, threads: Thread[]): boolean {
  return r.cycles.every((c) =>
    c.every((s, i) => {
      const t = threads.find((x) => x.id === s.thread.id)!;
      const next = threads.find((x) => x.id === c[(i + 1) % c.length]!.thread.id)!;
      return (
        s.heldBy.id === next.id &&
        t.waitOn !== null &&
        t.waitOn.name === s.waitsFor.name &&
        t.waitOn.owners().includes(next)
      );
    }),
  );
}

test('a run that cannot finish always ends with a report, never a hang; every reported cycle is real; never early', async (t) => {
  let deadlocks = 0;
  let stalls = 0;
  await fc.assert(
    fc.asyncProperty(
      programArb(true),
      fc.constantFrom<CycleMode>('fail', 'off'),
      async (p, cycles) => {
        const o = await execute(p, cycles);
        if (o.error === undefined) return true;
        if (o.error instanceof DeadlockError) {
          deadlocks++;
          const members = o.error.cycle.map((s) => s.thread);
          return (
            isRealCycle(o.error.cycle) &&
            reportCyclesAreReal(o.error.report, o.threads) &&
            o.error.report.threads.length > 0 &&
            members.every((m) => m.heapIndex < 0) // a cycle through a timed wait is never reported
          );
        }
        if (o.error instanceof StallError) {
          stalls++;
          return (
            o.pendingTimers === 0 &&
            o.pendingHost === 0 &&
            o.error.report.threads.length > 0 &&
            reportCyclesAreReal(o.error.report, o.threads)
          );
        }
        throw o.error; // LimitExceededError (a hang) or anything else fails the property
      },
    ),
    { numRuns: 600 },
  );
  t.log(`${deadlocks} deadlock reports, ${stalls} stall reports`);
  t.true(deadlocks > 0 && stalls > 0, 'the generator does produce both kinds of report');
});

test('same seed, same report', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      programArb(true),
      fc.constantFrom<CycleMode>('fail', 'off'),
      async (p, cycles) => {
        const a = await execute(p, cycles);
        const b = await execute(p, cycles);
        const text = (o: Outcome): string =>
          o.error instanceof DeadlockError || o.error instanceof StallError
            ? formatReport(o.error.report)
            : String(o.error);
        return text(a) === text(b) && a.kernel.steps === b.kernel.steps;
      },
    ),
    { numRuns: 100 },
  );
  t.pass();
});

test('programs that take locks in one global order never get a report (no false positives)', async (t) => {
  const ordered = programArb(false).map((p) => ({
    ...p,
    // Take locks in ascending index order only: drop a lock op below the highest taken so far,
    // and release everything (unlock ops) before taking again.
    threads: p.threads.map((ops) => {
      let top = -1;
      return ops.flatMap((op): Op[] => {
        if (op.kind === 'unlock') {
          top = -1;
          return [
            { kind: 'unlock', pick: 0 },
            { kind: 'unlock', pick: 0 },
            { kind: 'unlock', pick: 0 },
            { kind: 'unlock', pick: 0 },
            { kind: 'unlock', pick: 0 },
          ];
        }
        if (op.kind !== 'lock') return [op];
        if (op.lock <= top) return [];
        top = op.lock;
        return [op];
      });
    }),
  }));
  await fc.assert(
    fc.asyncProperty(ordered, async (p) => {
      const o = await execute(p, 'fail', 'fail');
      return o.error === undefined && detectionReports(o.kernel).length === 0;
    }),
    { numRuns: 200 },
  );
  t.pass();
});

test('every mutex deadlock was foreseen by lock-order validation in the same run', async (t) => {
  const mutexOnly = programArb(false).map((p) => ({
    ...p,
    threads: p.threads.map((ops) =>
      ops.map((op) => (op.kind === 'lock' ? { ...op, lock: op.lock % p.locks } : op)),
    ),
  }));
  let deadlocks = 0;
  await fc.assert(
    fc.asyncProperty(mutexOnly, async (p) => {
      const o = await execute(p, 'fail', 'warn');
      if (!(o.error instanceof DeadlockError)) return o.error === undefined; // untimed mutexes: done, or a cycle
      deadlocks++;
      return detectionReports(o.kernel).some((r) => r.kind === 'lock-order');
    }),
    { numRuns: 250 },
  );
  t.log(`${deadlocks} deadlocks, each foreseen`);
  t.true(deadlocks > 0);
});
