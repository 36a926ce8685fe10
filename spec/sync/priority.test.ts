import test from 'ava';
import {
  Kernel,
  MAX_OWNER_CHAIN,
  Mutex,
  RWLock,
  currentThread,
  sleep,
  type Thread,
} from '../../lib/index.ts';
import { addHeld, removeHeld } from '../../lib/sync/priority.ts';
import { ThreadQueue } from '../../lib/kernel/queue.ts';
import { settle } from '../helpers/util.ts';

/**
 * The classic priority inversion: low holds m; high wants m; medium is busy. With inheritance,
 * low runs at high's priority until it unlocks, so high finishes before medium.
 */
test('priority inversion: the low-priority owner runs boosted and the high thread finishes before the medium one', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const events: string[] = [];
  const prioWhileHolding: number[] = [];
  const lowT = k.spawn(
    function* low() {
      yield* m.lock();
      prioWhileHolding.push(lowT.priority);
      yield* sleep(1); // high and medium wake at the same time as low
      for (let i = 0; i < 5; i++) {
        yield;
        prioWhileHolding.push(lowT.priority);
      }
      m.unlock();
      events.push(`low unlocked, prio now ${lowT.priority}`);
    },
    { priority: 1 },
  );
  k.spawn(
    function* medium() {
      yield* sleep(1);
      for (let i = 0; i < 20; i++) yield;
      events.push('medium done');
    },
    { priority: 5 },
  );
  k.spawn(
    function* high() {
      yield* sleep(1);
      yield* m.lock();
      events.push('high got m');
      m.unlock();
    },
    { priority: 10 },
  );
  k.runSync();
  t.deepEqual(events, ['low unlocked, prio now 1', 'high got m', 'medium done']);
  t.deepEqual(
    prioWhileHolding,
    [1, 10, 10, 10, 10, 10],
    'boosted to the waiter priority only while it waited',
  );
  t.is(lowT.basePriority, 1);
});

test('without contention no priority changes: the medium thread starves the low one', (t) => {
  // Control for the test above: same threads, but high does not want the mutex.
  const k = new Kernel();
  const m = new Mutex('m');
  const events: string[] = [];
  k.spawn(
    function* low() {
      yield* m.lock();
      yield* sleep(1);
      for (let i = 0; i < 5; i++) yield;
      m.unlock();
      events.push('low done');
    },
    { priority: 1 },
  );
  k.spawn(
    function* medium() {
      yield* sleep(1);
      for (let i = 0; i < 20; i++) yield;
      events.push('medium done');
    },
    { priority: 5 },
  );
  k.runSync();
  t.deepEqual(events, ['medium done', 'low done']);
});

test('inheritance is transitive along a chain of two mutexes, and each owner is restored on unlock', (t) => {
  const k = new Kernel();
  const a = new Mutex('a');
  const b = new Mutex('b');
  const seen: Record<string, number> = {};
  let lowT!: Thread;
  let midT!: Thread;
  lowT = k.spawn(
    function* low() {
      yield* a.lock();
      yield* sleep(5);
      seen.lowWhileHolding = lowT.priority;
      seen.midWhileBlocked = midT.priority;
      a.unlock();
      seen.lowAfter = lowT.priority;
    },
    { priority: 1 },
  );
  midT = k.spawn(
    function* mid() {
      yield* sleep(1);
      yield* b.lock();
      yield* a.lock(); // blocks on low
      seen.midHoldingBoth = midT.priority;
      a.unlock();
      seen.midAfterA = midT.priority;
      b.unlock();
      seen.midAfterB = midT.priority;
    },
    { priority: 3 },
  );
  k.spawn(
    function* high() {
      yield* sleep(2);
      yield* b.lock(); // blocks on mid, which waits for low
      b.unlock();
    },
    { priority: 12 },
  );
  k.runSync();
  t.deepEqual(seen, {
    lowWhileHolding: 12,
    midWhileBlocked: 12,
    lowAfter: 1,
    midHoldingBoth: 12,
    midAfterA: 12,
    midAfterB: 3,
  });
});

test('after releasing one of two contended locks, the owner keeps the priority owed to the other', (t) => {
  const k = new Kernel();
  const a = new Mutex('a');
  const b = new Mutex('b');
  const seen: number[] = [];
  const ownerT = k.spawn(
    function* owner() {
      yield* a.lock();
      yield* b.lock();
      yield* sleep(5);
      seen.push(ownerT.priority);
      b.unlock();
      seen.push(ownerT.priority);
      a.unlock();
      seen.push(ownerT.priority);
    },
    { priority: 0 },
  );
  k.spawn(
    function* wantsA() {
      yield* sleep(1);
      yield* a.lock();
      a.unlock();
    },
    { priority: 4 },
  );
  k.spawn(
    function* wantsB() {
      yield* sleep(1);
      yield* b.lock();
      b.unlock();
    },
    { priority: 8 },
  );
  k.runSync();
  t.deepEqual(seen, [8, 4, 0]);
});

test('when a high-priority waiter times out, the owner falls back to its base priority', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const seen: number[] = [];
  const ownerT = k.spawn(
    function* owner() {
      yield* m.lock();
      yield* sleep(2);
      seen.push(ownerT.priority);
      yield* sleep(10);
      seen.push(ownerT.priority);
      m.unlock();
    },
    { priority: 2 },
  );
  k.spawn(
    function* impatient() {
      yield* sleep(1);
      yield* settle(() => m.lock(5));
    },
    { priority: 9 },
  );
  k.runSync();
  t.deepEqual(seen, [9, 2]);
});

test('a queued waiter boosted through another lock it holds is served before an earlier, lower waiter', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const b = new Mutex('b');
  const order: string[] = [];
  const prio: Record<string, number> = {};
  k.spawn(
    function* owner() {
      yield* m.lock();
      yield* sleep(10);
      prio.w2Queued = w2T.priority;
      m.unlock();
    },
    { priority: 20 },
  );
  k.spawn(
    function* w1() {
      yield* sleep(1);
      yield* m.lock();
      order.push('w1');
      m.unlock();
    },
    { priority: 5 },
  );
  const w2T = k.spawn(
    function* w2() {
      yield* b.lock();
      yield* sleep(2);
      yield* m.lock(); // queued behind w1
      order.push('w2');
      m.unlock();
      prio.w2AfterM = w2T.priority;
      b.unlock();
      prio.w2AfterB = w2T.priority;
    },
    { priority: 2 },
  );
  k.spawn(
    function* high() {
      yield* sleep(3);
      yield* b.lock(); // b's owner w2 is queued on m: w2 is boosted to 9
      b.unlock();
    },
    { priority: 9 },
  );
  k.runSync();
  t.deepEqual(order, ['w2', 'w1']);
  t.deepEqual(prio, { w2Queued: 9, w2AfterM: 9, w2AfterB: 2 });
});

test('a writer blocked on an rwlock lends its priority to the writer holding it', (t) => {
  const k = new Kernel();
  const rw = new RWLock('rw');
  const seen: number[] = [];
  const holderT = k.spawn(
    function* holder() {
      yield* rw.writeLock();
      yield* sleep(3);
      seen.push(holderT.priority);
      rw.unlock();
      seen.push(holderT.priority);
    },
    { priority: 1 },
  );
  k.spawn(
    function* writer() {
      yield* sleep(1);
      yield* rw.writeLock();
      rw.unlock();
    },
    { priority: 11 },
  );
  k.runSync();
  t.deepEqual(seen, [11, 1]);
});

type FakeThread = Thread & { label: string };
function fake(label: string, priority: number): FakeThread {
  return {
    label,
    priority,
    qnext: null,
    qprev: null,
    qowner: null,
    held: null,
    kernel: { tracer: null }, // addHeld/removeHeld record into the kernel's trace when it is on
  } as unknown as FakeThread;
}

test('the head of a wait queue is the highest priority, the earliest among equals, and null when empty', (t) => {
  const q = new ThreadQueue<Thread>();
  t.is(q.head, null);
  const threads = [fake('a', 1), fake('b', 3), fake('c', 3), fake('d', 2)];
  for (const th of threads) q.enqueue(th);
  t.is((q.head as FakeThread).label, 'b');
  q.remove(threads[1]!);
  t.is((q.head as FakeThread).label, 'c');
  t.deepEqual(
    q.toArray().map((th) => (th as FakeThread).label),
    ['c', 'd', 'a'],
  );
});

test('addHeld/removeHeld keep acquisition order and remove the latest hold of a resource first', (t) => {
  const th = fake('t', 0);
  const r1 = new Mutex('r1');
  const r2 = new Mutex('r2');
  addHeld(th, r1);
  addHeld(th, r2);
  addHeld(th, r1);
  removeHeld(th, r1);
  t.deepEqual(th.held, [r1, r2]);
  removeHeld(th, r1);
  t.deepEqual(th.held, [r2]);
});

test('when the top of a chain times out, every owner down the chain falls back (not only the first)', (t) => {
  const k = new Kernel();
  const a = new Mutex('a');
  const b = new Mutex('b');
  const seen: Record<string, number> = {};
  const lowT = k.spawn(
    function* low() {
      yield* a.lock();
      yield* sleep(3);
      seen.lowBoosted = lowT.priority;
      yield* sleep(10); // high gives up at 7
      seen.lowAfterTimeout = lowT.priority;
      a.unlock();
    },
    { priority: 1 },
  );
  const midT = k.spawn(
    function* mid() {
      yield* b.lock();
      yield* sleep(1);
      yield* a.lock(); // waits for low
      a.unlock();
      b.unlock();
    },
    { priority: 3 },
  );
  k.spawn(
    function* high() {
      yield* sleep(2);
      yield* settle(() => b.lock(5)); // waits for mid, which waits for low
      seen.midAfterTimeout = midT.priority;
    },
    { priority: 12 },
  );
  k.runSync();
  // After the timeout low still owes mid (priority 3) for mutex a, but no longer high's 12.
  t.deepEqual(seen, { lowBoosted: 12, midAfterTimeout: 3, lowAfterTimeout: 3 });
});

test('killing a boosting waiter restores the owner chain', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const seen: number[] = [];
  const ownerT = k.spawn(
    function* owner() {
      yield* m.lock();
      yield* sleep(2);
      seen.push(ownerT.priority);
      yield* sleep(5);
      seen.push(ownerT.priority);
      m.unlock();
    },
    { priority: 0 },
  );
  const waiterT = k.spawn(
    function* waiter() {
      yield* sleep(1);
      yield* m.lock();
      m.unlock();
    },
    { priority: 6 },
  );
  k.spawn(function* killer() {
    yield* sleep(3);
    waiterT.kill();
  });
  k.runSync();
  t.deepEqual(seen, [6, 0]);
  t.is(waiterT.exitStatus, 'killed');
});

test('a waiter boosted while it waits moves ahead of the lower-priority waiters in its wait queue', (t) => {
  const k = new Kernel();
  const a = new Mutex('a');
  const b = new Mutex('b');
  const order: string[] = [];
  k.spawn(function* owner() {
    yield* a.lock();
    yield* sleep(10);
    a.unlock();
  });
  const waiter = (name: string, holdB: boolean) =>
    function* () {
      yield* sleep(1);
      if (holdB) yield* b.lock();
      yield* a.lock();
      order.push(name);
      a.unlock();
      if (holdB) b.unlock();
    };
  k.spawn(waiter('w1', false), { name: 'w1' });
  k.spawn(waiter('w2', false), { name: 'w2' });
  k.spawn(waiter('w3', true), { name: 'w3' }); // queued last on a, holding b
  k.spawn(
    function* urgent() {
      yield* sleep(2);
      yield* b.lock(); // boosts w3 (and, through a, the owner) to 9
      order.push('urgent');
      b.unlock();
    },
    { priority: 9 },
  );
  k.runSync();
  t.deepEqual(order, ['w3', 'urgent', 'w1', 'w2']);
});

test("a reader of an rwlock is not boosted by the rwlock's waiters when it releases an unrelated mutex", (t) => {
  const k = new Kernel();
  const rw = new RWLock('inode');
  const m = new Mutex('m');
  const seen: number[] = [];
  k.spawn(function* reader() {
    yield* rw.readLock();
    yield* m.lock();
    yield* sleep(5); // a writer queues on rw (readers are not boosted); x boosts us through m
    seen.push(currentThread().priority);
    m.unlock();
    seen.push(currentThread().priority);
    rw.unlock();
  });
  k.spawn(
    function* writer() {
      yield* sleep(1);
      yield* rw.writeLock();
      rw.unlock();
    },
    { priority: 10 },
  );
  k.spawn(
    function* x() {
      yield* sleep(2);
      yield* m.lock();
      m.unlock();
    },
    { priority: 5 },
  );
  k.runSync();
  t.deepEqual(seen, [5, 0]);
});

test('an owner chain longer than MAX_OWNER_CHAIN is cut short with a warning, by inheritance and by cycle detection alike', (t) => {
  for (const detection of [false, undefined] as const) {
    const k = new Kernel({ detection: detection ?? { cycles: 'fail' } });
    const n = MAX_OWNER_CHAIN + 10;
    const locks = Array.from({ length: n + 1 }, (_, i) => new Mutex(`m${i}`));
    // Thread i holds lock i and then waits for lock i + 1; the last one holds its lock and sleeps.
    for (let i = 0; i < n; i++) {
      k.spawn(
        function* link() {
          yield* locks[i]!.lock();
          yield* sleep(1);
          yield* locks[i + 1]!.lock();
        },
        { daemon: true },
      );
    }
    k.spawn(
      function* last() {
        yield* locks[n]!.lock();
        yield* sleep(100);
      },
      { daemon: true },
    );
    k.spawn(
      function* urgent() {
        yield* sleep(2);
        yield* locks[0]!.lock();
      },
      { priority: 7, daemon: true },
    );
    k.spawn(function* main() {
      yield* sleep(10);
    });
    k.runSync();
    const cut = k.warnings.filter((w) => w.includes(`longer than ${MAX_OWNER_CHAIN} hops`));
    t.true(
      cut.some((w) => w.startsWith('priority inheritance')),
      `warnings: ${k.warnings.slice(0, 3).join(' | ')}`,
    );
    if (detection === undefined) t.true(cut.some((w) => w.startsWith('deadlock detection')));
  }
});

test('held locks are listed in acquisition order through every shape of the list: none, one (shared), several, released out of order', (t) => {
  const k = new Kernel();
  const a = new Mutex('a');
  const b = new Mutex('b');
  const c = new Mutex('c');
  const rw = new RWLock('rw');
  const seen: string[][] = [];
  const names = (th: Thread): string[] => th.holding.map((r) => r.name);
  let reader2: Thread | null = null;
  const reader1 = k.spawn(function* reader1() {
    const self = currentThread();
    seen.push(names(self)); // []
    yield* a.lock();
    seen.push(names(self)); // [a]
    yield* b.lock();
    yield* c.lock();
    seen.push(names(self)); // [a, b, c]
    b.unlock(); // out of order
    seen.push(names(self)); // [a, c]
    a.unlock();
    c.unlock();
    seen.push(names(self)); // []
    yield* rw.readLock();
    yield; // reader2 takes a read hold of the same lock too
    seen.push(names(self), names(reader2!)); // [rw], [rw]
    rw.unlock();
    seen.push(names(self), names(reader2!)); // [], [rw]
    yield* b.lock();
    seen.push(names(self)); // [b]: the shared list of another lock than before
    b.unlock();
  });
  reader2 = k.spawn(function* reader2() {
    yield* rw.readLock();
    yield;
    yield;
    rw.unlock();
  });
  k.runSync();
  t.deepEqual(seen, [
    [],
    ['a'],
    ['a', 'b', 'c'],
    ['a', 'c'],
    [],
    ['rw'],
    ['rw'],
    [],
    ['rw'],
    ['b'],
  ]);
  t.is(reader1.holding.length, 0);
  t.deepEqual(k.warnings, [], 'nobody exited holding a lock');
});

test('addHeld/removeHeld (spi) keep a lock that is not a greenkernel Resource as well', (t) => {
  const k = new Kernel();
  const lock = { name: 'custom', resourceKind: 'custom', owners: () => [], removeWaiter: () => {} };
  const held: string[][] = [];
  k.spawn(function* holder() {
    const self = currentThread();
    addHeld(self, lock);
    held.push(self.holding.map((r) => r.name));
    addHeld(self, lock); // held twice, as a read lock can be
    held.push(self.holding.map((r) => r.name));
    removeHeld(self, lock);
    removeHeld(self, lock);
    held.push(self.holding.map((r) => r.name));
  });
  k.runSync();
  t.deepEqual(held, [['custom'], ['custom', 'custom'], []]);
});
