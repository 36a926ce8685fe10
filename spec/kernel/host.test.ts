/**
 * hostcall (lib/host.ts): odd promise-likes, arguments checked before anything happens, and
 * timeouts of any length.
 */
import test from 'ava';
import {
  HostRejectionError,
  InvalidArgumentError,
  Kernel,
  TimeoutError,
  hostcall,
  sleep,
} from '../../lib/index.ts';
import {
  expectError,
  expectFailure,
  later,
  settle,
  withHangGuard,
  type Outcome,
} from '../helpers/util.ts';

test('a promise-like whose then() settles synchronously delivers its value; the host-call count stays exact', async (t) => {
  const k = new Kernel();
  let got: unknown;
  const syncThenable = { then: (ok: (v: number) => void) => ok(42) } as unknown as Promise<number>;
  k.spawn(function* caller() {
    got = yield* hostcall(syncThenable);
    t.is(k.pendingHostCalls, 0);
  });
  await withHangGuard(k.run(), 'run() with a synchronous thenable');
  t.is(got, 42);
  t.is(k.pendingHostCalls, 0);
});

test('a promise-like whose then() rejects synchronously, or throws, delivers the error at the yield*', async (t) => {
  const k = new Kernel();
  const outcomes: Outcome<unknown>[] = [];
  const boom = new Error('then threw');
  const rejecting = {
    then: (_ok: unknown, fail: (e: unknown) => void) => fail(new Error('sync reject')),
  } as unknown as Promise<never>;
  const throwing = {
    then: () => {
      throw boom;
    },
  } as unknown as Promise<never>;
  k.spawn(function* caller() {
    outcomes.push(yield* settle(() => hostcall(rejecting)));
    outcomes.push(yield* settle(() => hostcall(throwing)));
  });
  await withHangGuard(k.run(), 'run() with throwing thenables');
  t.false(outcomes[0]!.ok);
  t.regex(String((outcomes[0] as { error: Error }).error.message), /sync reject/);
  t.deepEqual(outcomes[1], { ok: false, error: boom });
  t.is(k.pendingHostCalls, 0);
});

test('a bad timeout is refused before the work is started: work() is never called', async (t) => {
  const k = new Kernel();
  let called = 0;
  const outcomes: Outcome<unknown>[] = [];
  k.spawn(function* caller() {
    for (const bad of [-5, NaN, Infinity, '3' as unknown as number]) {
      outcomes.push(
        yield* settle(() =>
          hostcall(() => {
            called++;
            return Promise.reject(new Error('must not run'));
          }, bad),
        ),
      );
    }
  });
  await k.run();
  t.is(called, 0);
  t.is(outcomes.length, 4);
  for (const o of outcomes) expectFailure(t, o, InvalidArgumentError, 'EINVAL');
  t.is(k.pendingHostCalls, 0);
});

test('work() that throws a non-Error is delivered as HostRejectionError, as a rejection with one is', async (t) => {
  const k = new Kernel();
  let outcome: Outcome<unknown> | undefined;
  k.spawn(function* caller() {
    outcome = yield* settle(() =>
      hostcall((): Promise<never> => {
        throw 'str';
      }),
    );
  });
  await k.run();
  const e = expectFailure(t, outcome, HostRejectionError, 'EHOST');
  t.is(e.reason, 'str');
});

test('a host-call timeout of 2^31 ms or more does not fire early (Node timers overflow there)', async (t) => {
  const k = new Kernel();
  let outcome: Outcome<string> | undefined;
  k.spawn(function* caller() {
    outcome = yield* settle(() => hostcall(later(30, 'answered'), 2 ** 31));
  });
  await withHangGuard(k.run(), 'run() with a long host-call timeout');
  t.deepEqual(outcome, { ok: true, value: 'answered' });
});

test('real clock: a very long sleep costs no polling while it waits', async (t) => {
  const k = new Kernel({ clock: 'real' });
  const sleeper = k.spawn(function* sleeper() {
    yield* sleep(1e10);
  });
  let timersSet = 0;
  const original = globalThis.setTimeout;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    timersSet++;
    return original(...args);
  }) as typeof setTimeout;
  let outcome: Outcome<unknown> | undefined;
  try {
    k.spawn(function* stopper() {
      yield* hostcall(later(200, null));
      sleeper.kill('done');
      outcome = yield* settle(() => sleeper.join());
    });
    await withHangGuard(k.run(), 'run() with a long real-clock sleep');
  } finally {
    globalThis.setTimeout = original;
  }
  t.false(outcome!.ok);
  t.true(timersSet <= 5, `setTimeout called ${timersSet} times in 200 ms`);
});

test('a hostcall timeout that fires is a TimeoutError naming the host call', async (t) => {
  const k = new Kernel();
  let outcome: Outcome<unknown> | undefined;
  k.spawn(function* caller() {
    outcome = yield* settle(() => hostcall(new Promise<never>(() => {}), 1));
  });
  await withHangGuard(k.run(), 'run() with a short host-call timeout');
  const e = expectFailure(t, outcome, TimeoutError, 'ETIMEDOUT');
  expectError(t, e, TimeoutError, 'ETIMEDOUT');
  t.regex(e.message, /host call/);
});
