import test from 'ava';
import {
  InvalidArgumentError,
  Kernel,
  NotInThreadError,
  StallError,
  TimeoutError,
  hostcall,
  sleep,
  tsleep,
  wakeup,
  wakeupOne,
  type Routine,
} from '../../lib/index.ts';
import {
  expectError,
  expectFailure,
  later,
  settle,
  withHangGuard,
  type Outcome,
} from '../helpers/util.ts';

function sleeper(key: unknown, log: string[], name: string, k: Kernel, delay = 0) {
  return function* (): Routine<void> {
    if (delay > 0) yield* sleep(delay);
    yield* tsleep(key);
    log.push(`${name}@${k.now()}`);
  };
}

test('wakeup wakes every thread sleeping on the key and returns how many', (t) => {
  const k = new Kernel();
  const buf = { name: 'buf' };
  const log: string[] = [];
  for (const name of ['a', 'b', 'c']) k.spawn(sleeper(buf, log, name, k), { name });
  let n = -1;
  k.spawn(function* waker() {
    yield* sleep(3);
    n = wakeup(buf);
  });
  k.runSync();
  t.is(n, 3);
  t.deepEqual(log, ['a@3', 'b@3', 'c@3']);
});

test('wakeupOne wakes only the highest-priority sleeper, FIFO among equals, and returns 1 or 0', (t) => {
  const k = new Kernel();
  const key = 'freelist';
  const log: string[] = [];
  k.spawn(sleeper(key, log, 'low1', k), { priority: 1 });
  k.spawn(sleeper(key, log, 'low2', k), { priority: 1 });
  k.spawn(sleeper(key, log, 'high', k, 1), { priority: 4 });
  const counts: number[] = [];
  k.spawn(
    function* waker() {
      yield* sleep(5);
      for (let i = 0; i < 4; i++) {
        counts.push(wakeupOne(key));
        yield* sleep(1);
      }
    },
    { priority: 9 },
  );
  k.runSync();
  t.deepEqual(counts, [1, 1, 1, 0]);
  t.deepEqual(log, ['high@5', 'low1@6', 'low2@7']);
});

test('keys compare by SameValueZero: equal strings meet, distinct objects do not', (t) => {
  const k = new Kernel();
  const log: string[] = [];
  const a = {};
  const b = {};
  k.spawn(sleeper(a, log, 'onA', k), { name: 'onA' });
  k.spawn(sleeper(`blk-${7}`, log, 'onStr', k), { name: 'onStr' });
  const counts: number[] = [];
  k.spawn(function* waker() {
    yield* sleep(1);
    counts.push(wakeup(b), wakeup('blk-7'));
    yield* sleep(1);
    counts.push(wakeup(a));
  });
  k.runSync();
  t.deepEqual(counts, [0, 1, 1]);
  t.deepEqual(log, ['onStr@1', 'onA@2']);
});

test('a wakeup with nobody asleep returns 0 and is lost: a later tsleep stalls with StallError', (t) => {
  const k = new Kernel();
  const key = 'event';
  let n = -1;
  k.spawn(function* early() {
    n = wakeup(key);
  });
  const late = k.spawn(function* late() {
    yield* sleep(1);
    yield* tsleep(key);
  });
  const err = t.throws(() => k.runSync());
  const e = expectError(t, err, StallError, 'ESTALL');
  t.is(n, 0);
  t.deepEqual(e.blocked, [late]);
  t.regex(e.message, /channel\W+event/);
});

test('tsleep with a timeout throws TimeoutError and the thread is no longer on the channel', (t) => {
  const k = new Kernel();
  let outcome: Outcome<void> | undefined;
  let woken = -1;
  k.spawn(function* napper() {
    outcome = yield* settle(() => tsleep('tick', 4));
    yield* sleep(10);
  });
  k.spawn(function* waker() {
    yield* sleep(6);
    woken = wakeup('tick');
  });
  k.runSync();
  const e = expectFailure(t, outcome, TimeoutError, 'ETIMEDOUT');
  t.is(e.waitedMs, 4);
  t.is(woken, 0);
});

test('a wakeup before the timeout returns normally', (t) => {
  const k = new Kernel();
  let at = -1;
  k.spawn(function* napper() {
    yield* tsleep('tick', 100);
    at = k.now();
  });
  k.spawn(function* waker() {
    yield* sleep(2);
    wakeup('tick');
  });
  const r = k.runSync();
  t.is(at, 2);
  t.is(r.time, 2);
});

test('tsleep outside a thread is NotInThreadError; wakeup from the host needs the kernel argument', (t) => {
  expectError(
    t,
    t.throws(() => tsleep('k')),
    NotInThreadError,
    'ENOTHREAD',
  );
  expectError(
    t,
    t.throws(() => wakeup('k')),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => wakeupOne('k')),
    InvalidArgumentError,
    'EINVAL',
  );
  const k = new Kernel();
  t.is(wakeup('k', k), 0);
  const log: string[] = [];
  k.spawn(sleeper('k', log, 's', k));
  k.runUntilIdle();
  t.is(wakeup('k', k), 1);
  k.runSync();
  t.deepEqual(log, ['s@0']);
});

test('channels are per kernel: a wakeup in one kernel does not wake sleepers of another on the same key', (t) => {
  const k1 = new Kernel({ name: 'k1' });
  const k2 = new Kernel({ name: 'k2' });
  const log: string[] = [];
  k1.spawn(sleeper('shared', log, 'k1', k1));
  k2.spawn(sleeper('shared', log, 'k2', k2));
  k1.runUntilIdle();
  k2.runUntilIdle();
  t.is(wakeup('shared', k1), 1);
  k1.runSync();
  t.deepEqual(log, ['k1@0']);
  t.is(k2.threads[0]?.stateName, 'blocked');
  t.is(wakeup('shared', k2), 1);
  k2.runSync();
  t.deepEqual(log, ['k1@0', 'k2@0']);
});

test('a wakeup from the host wakes a sleeper while another thread waits on a host call', async (t) => {
  const k = new Kernel();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  k.spawn(function* napper() {
    yield* tsleep('irq');
    release();
  });
  k.spawn(function* caller() {
    yield* hostcall(gate);
  });
  void later(5, null).then(() => wakeup('irq', k));
  await t.notThrowsAsync(withHangGuard(k.run(), 'run() after a host-side wakeup()'));
});
