import test from 'ava';
import fc from 'fast-check';
import { InvariantError, PRIORITY_LEVELS, type Thread } from '../../lib/index.ts';
import { SeededRandom } from '../../lib/spi.ts';
import { RunQueue } from '../../lib/kernel/runqueue.ts';
import { S_BLOCKED, S_RUNNABLE } from '../../lib/kernel/thread.ts';

type FakeThread = Thread & { label: string };
/** Just enough of a Thread for the run queue: state, priority and queue links. */
function fake(label: string, priority: number): FakeThread {
  return {
    label,
    priority,
    state: S_RUNNABLE,
    qnext: null,
    qprev: null,
    qowner: null,
  } as unknown as FakeThread;
}

function drain(q: RunQueue): string[] {
  const out: string[] = [];
  for (let t = q.dequeueNext(); t !== null; t = q.dequeueNext()) out.push((t as FakeThread).label);
  return out;
}

test('there are 32 priority levels', (t) => {
  t.is(PRIORITY_LEVELS, 32);
});

test('dequeueNext picks the highest priority first, FIFO within a level, including levels 0 and 31', (t) => {
  const q = new RunQueue(null);
  t.is(q.dequeueNext(), null);
  for (const [label, p] of [
    ['a0', 0],
    ['b31', 31],
    ['c5', 5],
    ['d0', 0],
    ['e31', 31],
    ['f5', 5],
  ] as const)
    q.enqueue(fake(label, p));
  t.is(q.size, 6);
  t.deepEqual(
    q.toArray().map((x) => (x as FakeThread).label),
    ['b31', 'e31', 'c5', 'f5', 'a0', 'd0'],
  );
  t.deepEqual(drain(q), ['b31', 'e31', 'c5', 'f5', 'a0', 'd0']);
  t.is(q.size, 0);
});

test('remove unlinks a queued thread from the middle of its level and keeps the order of the rest', (t) => {
  const q = new RunQueue(null);
  const threads = ['a', 'b', 'c', 'd'].map((l) => fake(l, 3));
  for (const th of threads) q.enqueue(th);
  q.enqueue(fake('solo', 9));
  q.remove(threads[1]!);
  q.remove(q.toArray()[0]!); // the only thread of level 9
  t.is(q.size, 3);
  t.deepEqual(drain(q), ['a', 'c', 'd']);
});

test('enqueueing a thread that is not runnable violates an invariant', (t) => {
  const q = new RunQueue(null);
  const th = fake('x', 1);
  (th as unknown as { state: number }).state = S_BLOCKED;
  t.throws(() => q.enqueue(th), { instanceOf: InvariantError });
});

test('enqueueing a thread that is already queued, at the tail or inside its level, violates an invariant', (t) => {
  const q = new RunQueue(null);
  const [a, b] = [fake('a', 2), fake('b', 2)];
  q.enqueue(a);
  t.throws(() => q.enqueue(a), { instanceOf: InvariantError }, 'the tail again');
  q.enqueue(b);
  t.throws(() => q.enqueue(a), { instanceOf: InvariantError }, 'inside its level');
  t.deepEqual(drain(q), ['a', 'b'], 'the refused enqueues changed nothing');
  const waiting = fake('w', 2);
  (waiting as unknown as { qowner: object }).qowner = {}; // in some wait queue
  t.throws(() => q.enqueue(waiting), { instanceOf: InvariantError }, 'a thread in a wait queue');
});

test('random policy: the same seed picks the same order, different seeds can differ, priority stays strict', (t) => {
  const order = (seed: number) => {
    const q = new RunQueue(new SeededRandom(seed));
    for (let i = 0; i < 8; i++) q.enqueue(fake(`l${i}`, 1));
    q.enqueue(fake('high', 2));
    return drain(q);
  };
  const a = order(5);
  t.deepEqual(order(5), a);
  t.is(a[0], 'high');
  t.deepEqual([...a].sort(), ['high', 'l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7']);
  t.true([6, 7, 8, 9].some((s) => order(s).join() !== a.join()));
});

test('many threads at one level (past any initial capacity) keep FIFO order through interleaved use', (t) => {
  const q = new RunQueue(null);
  const out: string[] = [];
  let next = 0;
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 37; i++) q.enqueue(fake(String(next++), 4));
    for (let i = 0; i < 20; i++) out.push((q.dequeueNext() as FakeThread).label);
  }
  out.push(...drain(q));
  t.deepEqual(
    out,
    Array.from({ length: next }, (_, i) => String(i)),
  );
});

test('matches a model of per-level FIFO lists under random enqueue/dequeue/remove sequences', (t) => {
  type Cmd = { kind: 'enq'; prio: number } | { kind: 'deq' } | { kind: 'rm'; pick: number };
  const cmd: fc.Arbitrary<Cmd> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('enq' as const),
        prio: fc.constantFrom(0, 1, 2, 30, 31),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('deq' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('rm' as const), pick: fc.nat() }) },
  );
  fc.assert(
    fc.property(fc.array(cmd, { maxLength: 200 }), (cmds) => {
      const q = new RunQueue(null);
      const model: FakeThread[][] = Array.from({ length: PRIORITY_LEVELS }, () => []);
      let n = 0;
      for (const c of cmds) {
        if (c.kind === 'enq') {
          const th = fake(String(n++), c.prio);
          q.enqueue(th);
          model[c.prio]!.push(th);
        } else if (c.kind === 'deq') {
          const level = [...model].reverse().find((l) => l.length > 0);
          const expected = level === undefined ? null : level.shift()!;
          const got = q.dequeueNext();
          if (got !== expected) return false;
          if (got !== null) (got as unknown as { state: number }).state = S_BLOCKED;
        } else {
          const all = model.flat();
          if (all.length === 0) continue;
          const victim = all[c.pick % all.length]!;
          q.remove(victim);
          const level = model[victim.priority]!;
          level.splice(level.indexOf(victim), 1);
        }
        if (q.size !== model.reduce((s, l) => s + l.length, 0)) return false;
      }
      const expectedOrder = [...model].reverse().flat();
      return (
        q.toArray().every((th, i) => th === expectedOrder[i]) &&
        q.toArray().length === expectedOrder.length
      );
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('random policy: matches a model that draws below(n) only when the top level holds n > 1 threads', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.array(fc.oneof(fc.constantFrom(0, 1, 31), fc.constant(-1)), { maxLength: 120 }),
      (seed, cmds) => {
        const q = new RunQueue(new SeededRandom(seed));
        const rng = new SeededRandom(seed);
        const model: FakeThread[][] = Array.from({ length: PRIORITY_LEVELS }, () => []);
        let n = 0;
        for (const prio of cmds) {
          if (prio >= 0) {
            const th = fake(String(n++), prio);
            q.enqueue(th);
            model[prio]!.push(th);
            continue;
          }
          const level = [...model].reverse().find((l) => l.length > 0);
          const expected =
            level === undefined
              ? null
              : level.splice(level.length === 1 ? 0 : rng.below(level.length), 1)[0]!;
          const got = q.dequeueNext();
          if (got !== expected) return false;
          if (got !== null) (got as unknown as { state: number }).state = S_BLOCKED;
        }
        return q.toArray().length === model.flat().length;
      },
    ),
    { numRuns: 200 },
  );
  t.pass();
});

test('a dequeued thread can be queued again at once, anywhere in its level, and FIFO order holds', (t) => {
  const q = new RunQueue(null);
  const [a, b, c] = [fake('a', 5), fake('b', 5), fake('c', 5)];
  q.enqueue(a);
  q.enqueue(b);
  const first = q.dequeueNext()!;
  q.enqueue(first); // a yield: to the back of its level
  q.enqueue(c);
  q.remove(b);
  q.enqueue(b); // a priority change puts it back at the tail
  t.deepEqual(drain(q), ['a', 'c', 'b']);
  t.true(q.empty);
  t.is(q.size, 0);
});

test('dequeueChosen: a strategy that throws leaves the queue and the next choice intact', (t) => {
  const q = new RunQueue(null);
  for (const l of ['a', 'b', 'c']) q.enqueue(fake(l, 4));
  const seen: string[][] = [];
  const failing = {
    next(): number {
      throw new Error('strategy bug');
    },
  };
  const last = {
    next(view: readonly Thread[]): number {
      seen.push(view.map((th) => (th as FakeThread).label));
      return view.length - 1;
    },
  };
  const k = null as unknown as Parameters<RunQueue['dequeueChosen']>[1];
  t.throws(() => q.dequeueChosen(failing, k), { message: 'strategy bug' });
  t.is((q.dequeueChosen(last, k) as FakeThread).label, 'c');
  t.deepEqual(seen, [['a', 'b', 'c']], 'the candidates of the failed choice are not shown again');
  t.deepEqual(drain(q), ['a', 'b']);
});
