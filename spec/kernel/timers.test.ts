import test from 'ava';
import fc from 'fast-check';
import {
  InvalidArgumentError,
  InvariantError,
  Kernel,
  sleep,
  type Routine,
  type Thread,
} from '../../lib/index.ts';
import { TimerHeap } from '../../lib/kernel/timers.ts';
import { expectError } from '../helpers/util.ts';

// ---------------------------------------------------------------- virtual time through the kernel

test('sleep(10) advances kernel.now() by exactly 10', (t) => {
  const k = new Kernel();
  const stamps: number[] = [];
  k.spawn(function* s() {
    stamps.push(k.now());
    yield* sleep(10);
    stamps.push(k.now());
    yield* sleep(0.5);
    stamps.push(k.now());
  });
  const r = k.runSync();
  t.deepEqual(stamps, [0, 10, 10.5]);
  t.is(r.time, 10.5);
});

test('virtual time does not move while a thread is runnable', (t) => {
  const k = new Kernel();
  const seen: number[] = [];
  k.spawn(function* sleeper() {
    yield* sleep(1);
    seen.push(-k.now());
  });
  k.spawn(function* busy() {
    for (let i = 0; i < 1000; i++) yield;
    seen.push(k.now());
  });
  k.runSync();
  t.deepEqual(seen, [0, -1], 'the busy thread finished at time 0, before the 1 ms sleeper woke');
});

test('timers with equal deadlines fire in arming order', (t) => {
  const k = new Kernel();
  const woke: string[] = [];
  const sleeper = (name: string, first: number, second: number) =>
    function* (): Routine<void> {
      yield* sleep(first);
      yield* sleep(second); // all second sleeps end at time 10
      woke.push(name);
    };
  // Arming order of the second sleeps: c (t=1), a (t=2), b (t=3).
  k.spawn(sleeper('a', 2, 8), { name: 'a' });
  k.spawn(sleeper('b', 3, 7), { name: 'b' });
  k.spawn(sleeper('c', 1, 9), { name: 'c' });
  k.runSync();
  t.deepEqual(woke, ['c', 'a', 'b']);
});

test('sleeps of different lengths wake in deadline order, and zero-length sleeps yield', (t) => {
  const k = new Kernel();
  const woke: string[] = [];
  for (const [name, ms] of [
    ['30', 30],
    ['10', 10],
    ['20', 20],
    ['0', 0],
  ] as const) {
    k.spawn(
      function* (): Routine<void> {
        yield* sleep(ms);
        woke.push(`${name}@${k.now()}`);
      },
      { name },
    );
  }
  k.runSync();
  t.deepEqual(woke, ['0@0', '10@10', '20@20', '30@30']);
});

test('invalid sleep lengths are InvalidArgumentError: negative, NaN, Infinity, non-number', (t) => {
  const k = new Kernel();
  const errors: unknown[] = [];
  k.spawn(function* s() {
    for (const ms of [-1, NaN, Infinity, '5' as unknown as number]) {
      try {
        yield* sleep(ms);
      } catch (e) {
        errors.push(e);
      }
    }
  });
  k.runSync();
  t.is(errors.length, 4);
  for (const e of errors) expectError(t, e, InvalidArgumentError, 'EINVAL');
});

test('pendingTimers counts sleeps and wait timeouts, and a satisfied wait disarms its timeout', (t) => {
  const k = new Kernel();
  let child!: Thread<number>;
  k.spawn(function* parent() {
    child = k.spawn(function* child() {
      yield* sleep(5);
      return 1;
    });
    yield* child.join(100);
  });
  k.runUntilIdle();
  t.is(k.pendingTimers, 2);
  k.advanceTime();
  k.runUntilIdle();
  t.is(k.pendingTimers, 0);
  t.is(k.now(), 5);
});

// ---------------------------------------------------------------- the heap itself

type FakeThread = Thread & { label: string };
function fakeThread(label: string): FakeThread {
  return { label, deadline: 0, timerSeq: 0, heapIndex: -1 } as unknown as FakeThread;
}

test('TimerHeap pops due timers in (deadline, arming order) and nothing that is not due', (t) => {
  const heap = new TimerHeap();
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(fakeThread) as [
    FakeThread,
    FakeThread,
    FakeThread,
    FakeThread,
  ];
  t.is(heap.nextDeadline(), Infinity);
  t.is(heap.popDue(1e9), null);
  heap.arm(a, 10);
  heap.arm(b, 5);
  heap.arm(c, 10);
  heap.arm(d, 7);
  t.is(heap.size, 4);
  t.is(heap.nextDeadline(), 5);
  t.is(heap.popDue(4), null);
  t.is(heap.popDue(7), b);
  t.is(heap.popDue(7), d);
  t.is(heap.popDue(7), null);
  t.is(heap.popDue(10), a);
  t.is(heap.popDue(10), c);
  t.is(heap.size, 0);
  t.is(a.heapIndex, -1);
});

test('TimerHeap cancel removes an armed timer anywhere in the heap and ignores an unarmed one', (t) => {
  const heap = new TimerHeap();
  const threads = [1, 2, 3, 4, 5].map((i) => fakeThread(`t${i}`));
  threads.forEach((th, i) => heap.arm(th, 10 * (i + 1)));
  heap.cancel(threads[2]!);
  heap.cancel(threads[0]!);
  heap.cancel(threads[0]!);
  const popped: string[] = [];
  for (let th = heap.popDue(100); th !== null; th = heap.popDue(100))
    popped.push((th as FakeThread).label);
  t.deepEqual(popped, ['t2', 't4', 't5']);
});

test('TimerHeap refuses to arm a thread twice (InvariantError)', (t) => {
  const heap = new TimerHeap();
  const a = fakeThread('a');
  heap.arm(a, 1);
  t.throws(() => heap.arm(a, 2), { instanceOf: InvariantError });
});

test('TimerHeap matches a sorted-list model under random arm/cancel/pop sequences', (t) => {
  type Cmd =
    | { kind: 'arm'; who: number; at: number }
    | { kind: 'cancel'; who: number }
    | { kind: 'pop'; now: number };
  const cmd: fc.Arbitrary<Cmd> = fc.oneof(
    fc.record({ kind: fc.constant('arm' as const), who: fc.nat(9), at: fc.nat(20) }),
    fc.record({ kind: fc.constant('cancel' as const), who: fc.nat(9) }),
    fc.record({ kind: fc.constant('pop' as const), now: fc.nat(25) }),
  );
  fc.assert(
    fc.property(fc.array(cmd, { maxLength: 80 }), (cmds) => {
      const heap = new TimerHeap();
      const threads = Array.from({ length: 10 }, (_, i) => fakeThread(String(i)));
      let seq = 0;
      let model: { who: number; at: number; seq: number }[] = [];
      for (const c of cmds) {
        if (c.kind === 'arm') {
          if (threads[c.who]!.heapIndex !== -1) continue; // one timer per thread
          heap.arm(threads[c.who]!, c.at);
          model.push({ who: c.who, at: c.at, seq: seq++ });
        } else if (c.kind === 'cancel') {
          heap.cancel(threads[c.who]!);
          model = model.filter((e) => e.who !== c.who);
        } else {
          model.sort((x, y) => x.at - y.at || x.seq - y.seq);
          const expected = model.filter((e) => e.at <= c.now).map((e) => String(e.who));
          model = model.filter((e) => e.at > c.now);
          const got: string[] = [];
          for (let th = heap.popDue(c.now); th !== null; th = heap.popDue(c.now))
            got.push((th as FakeThread).label);
          if (got.join() !== expected.join()) return false;
        }
        if (heap.size !== model.length) return false;
        const next = model.length === 0 ? Infinity : Math.min(...model.map((e) => e.at));
        if (heap.nextDeadline() !== next) return false;
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass();
});
