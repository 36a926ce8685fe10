/**
 * Property-based test of Thread.kill: random programs over every primitive (mutexes, an rwlock,
 * two semaphores, a condvar with a queue, a wait channel, sleeps and yields), run under the
 * seeded random policy, with one random thread killed from the host after a random number of
 * steps. After every run, whatever the schedule:
 *  - no lock is owned by an exited thread;
 *  - semaphore units are conserved (count + units held = initial + ups - downs);
 *  - no wake-up is lost while a live waiter waits (a queued item with a consumer asleep on the
 *    condvar, a posted token with a sleeper on the channel);
 *  - no InvariantError, no thread failure: the run completes, or stalls with a StallError.
 */
import test from 'ava';
import fc from 'fast-check';
import {
  CondVar,
  Kernel,
  Mutex,
  RWLock,
  Semaphore,
  StallError,
  sleep,
  tsleep,
  wakeupOne,
  type Routine,
  type Thread,
} from '../../lib/index.ts';

const OPS = [
  'mutex0',
  'mutex01',
  'read',
  'write',
  'sem',
  'produce',
  'consume',
  'cvProduce',
  'cvConsume',
  'sleep',
  'yield',
  'chanSleep',
  'chanWake',
] as const;
type Op = (typeof OPS)[number];

interface Program {
  threads: Op[][];
  seed: number;
  killAtStep: number;
  victim: number;
}

const programArb: fc.Arbitrary<Program> = fc.record({
  threads: fc.array(fc.array(fc.constantFrom(...OPS), { minLength: 1, maxLength: 6 }), {
    minLength: 2,
    maxLength: 5,
  }),
  seed: fc.nat(10_000),
  killAtStep: fc.nat(40),
  victim: fc.nat(4),
});

const SEM_INITIAL = 2;
const STOCK_INITIAL = 1;

/** The shared world of one run, and what the threads record about it. */
function world() {
  return {
    m0: new Mutex('m0'),
    m1: new Mutex('m1'),
    rw: new RWLock('rw'),
    sem: new Semaphore(SEM_INITIAL, 'sem'),
    stock: new Semaphore(STOCK_INITIAL, 'stock'),
    cv: new CondVar('cv'),
    queue: [] as number[],
    key: { name: 'chan' },
    tokens: 0,
    held: new Map<Thread, number>(),
    produced: 0,
    consumed: 0,
  };
}
type World = ReturnType<typeof world>;

function* step(op: Op, w: World, me: () => Thread): Routine<void> {
  switch (op) {
    case 'mutex0':
      yield* w.m0.lock();
      try {
        yield;
      } finally {
        w.m0.unlock();
      }
      return;
    case 'mutex01':
      yield* w.m0.lock();
      try {
        yield* w.m1.lock();
        try {
          yield;
        } finally {
          w.m1.unlock();
        }
      } finally {
        w.m0.unlock();
      }
      return;
    case 'read':
    case 'write':
      yield* op === 'read' ? w.rw.readLock() : w.rw.writeLock();
      try {
        yield* sleep(1);
      } finally {
        w.rw.unlock();
      }
      return;
    case 'sem':
      yield* w.sem.down();
      w.held.set(me(), (w.held.get(me()) ?? 0) + 1);
      try {
        yield;
      } finally {
        w.held.set(me(), w.held.get(me())! - 1);
        w.sem.up();
      }
      return;
    case 'produce':
      w.stock.up();
      w.produced++;
      return;
    case 'consume':
      yield* w.stock.down();
      w.consumed++;
      return;
    case 'cvProduce':
      yield* w.m0.lock();
      try {
        w.queue.push(1);
        w.cv.signal();
      } finally {
        w.m0.unlock();
      }
      return;
    case 'cvConsume':
      yield* w.m0.lock();
      try {
        while (w.queue.length === 0) yield* w.cv.wait(w.m0);
        w.queue.shift();
      } finally {
        w.m0.unlock();
      }
      return;
    case 'sleep':
      yield* sleep(1);
      return;
    case 'yield':
      yield;
      return;
    case 'chanSleep':
      while (w.tokens === 0) yield* tsleep(w.key);
      w.tokens--;
      return;
    case 'chanWake':
      w.tokens++;
      wakeupOne(w.key);
      return;
  }
}

/** Runs the program; returns what went wrong (empty: every property held). */
function check(p: Program): string[] {
  const k = new Kernel({
    policy: 'random',
    seed: p.seed,
    detection: { cycles: 'warn', lockOrder: 'off', backtraces: false },
  });
  const w = world();
  const threads: Thread[] = p.threads.map((ops, i) => {
    const t: Thread = k.spawn(
      function* body() {
        for (const op of ops) yield* step(op, w, () => t);
      },
      { name: `t${i}` },
    );
    return t;
  });
  for (let i = 0; i < p.killAtStep; i++) if (!k.step() && !k.advanceTime()) break;
  threads[p.victim % threads.length]!.kill('property');
  let outcome = 'completed';
  try {
    k.runSync();
  } catch (e) {
    if (!(e instanceof StallError)) return [`run failed with ${String(e)}`];
    outcome = 'stalled';
  }
  const problems: string[] = [];
  const exited = (t: Thread | null): boolean => t !== null && t.exitStatus !== null;
  for (const m of [w.m0, w.m1])
    if (exited(m.owner)) problems.push(`${m} owned by exited ${m.owner}`);
  if (exited(w.rw.writer) || w.rw.readers.some(exited))
    problems.push('rwlock held by an exited thread');
  const heldUnits = [...w.held.values()].reduce((a, b) => a + b, 0);
  if (w.sem.count + heldUnits !== SEM_INITIAL)
    problems.push(`sem: count ${w.sem.count} + held ${heldUnits} != ${SEM_INITIAL}`);
  if (w.stock.count !== STOCK_INITIAL + w.produced - w.consumed) {
    problems.push(
      `stock: count ${w.stock.count} != ${STOCK_INITIAL} + ${w.produced} ups - ${w.consumed} downs`,
    );
  }
  if (w.queue.length > 0 && w.cv.waiting > 0)
    problems.push(
      `lost signal: ${w.queue.length} item(s) queued, ${w.cv.waiting} consumer(s) asleep (${outcome})`,
    );
  const chanSleepers = k.threads.filter((t) => t.waitingFor?.kind === 'channel').length;
  if (w.tokens > 0 && chanSleepers > 0)
    problems.push(`lost wake-up: ${w.tokens} token(s), ${chanSleepers} sleeper(s)`);
  return problems;
}

test('kill at a random step of a random program: nothing owned by the dead, units conserved, no wake-up lost', (t) => {
  fc.assert(
    fc.property(programArb, (p) => {
      const problems = check(p);
      if (problems.length > 0) throw new Error(problems.join('; '));
    }),
    { numRuns: 1000 },
  );
  t.pass();
});
