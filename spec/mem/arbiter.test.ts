import test from 'ava';
import fc from 'fast-check';
import { GreenkernelError, InvalidArgumentError, Kernel, sleep } from '../../lib/index.ts';
import { MemoryArbiter, type MemoryClient } from '../../lib/mem/arbiter.ts';

const kinds = (a: MemoryArbiter) => a.events.map((e) => `${e.kind} ${e.client} ${e.bytes}`);

test('a request the free budget covers is granted; one nothing covers is denied', async (t) => {
  const k = new Kernel({ name: 'mem' });
  const arb = new MemoryArbiter({ budget: 100 });
  const a = arb.register({ name: 'a', minimum: 10 });
  const results: boolean[] = [];
  k.spawn(function* () {
    results.push(yield* a.request(60));
    results.push(yield* a.request(40)); // 30 free: nobody else to ask
  });
  await k.run();
  t.deepEqual(results, [true, false]);
  t.is(a.quota, 70);
  t.is(arb.handedOut, 70);
  t.deepEqual(kinds(arb), [
    'quota a 10',
    'request a 60',
    'grant a 60',
    'request a 40',
    'deny a 40',
  ]);
});

test('after a denial, requests within the back-off are refused without an event or a yield round', async (t) => {
  const k = new Kernel({ name: 'mem' });
  const arb = new MemoryArbiter({ budget: 100, backoffMs: 50 });
  const a = arb.register({ name: 'a', minimum: 100 });
  const results: boolean[] = [];
  k.spawn(function* () {
    for (let i = 0; i < 10; i++) results.push(yield* a.request(1)); // at time 0
    yield* sleep(50);
    results.push(yield* a.request(1));
  });
  await k.run();
  t.true(results.every((r) => !r));
  t.is(a.suppressed, 9);
  t.is(
    arb.events.filter((e) => e.kind === 'request').length,
    2,
    'one at time 0, one after the back-off',
  );
});

test('a shortfall is asked from the largest surplus first; the request is granted once they answer', async (t) => {
  const k = new Kernel({ name: 'mem' });
  const arb = new MemoryArbiter({ budget: 100 });
  const asked: string[] = [];
  const yielder = (name: string, get: () => MemoryClient) => (bytes: number) => {
    asked.push(`${name} ${bytes}`);
    k.spawn(function* () {
      yield* sleep(5); // an answer takes time
      get().release(bytes);
      get().answer(bytes);
    });
  };
  const small: MemoryClient = arb.register({
    name: 'small',
    minimum: 0,
    onYield: yielder('small', () => small),
  });
  const big: MemoryClient = arb.register({
    name: 'big',
    minimum: 0,
    onYield: yielder('big', () => big),
  });
  const c = arb.register({ name: 'c', minimum: 0 });
  let granted: boolean | undefined;
  k.spawn(function* () {
    t.true(yield* small.request(20));
    t.true(yield* big.request(70));
    granted = yield* c.request(40); // 10 free: 30 short; big has the largest surplus
  });
  await k.run();
  t.true(granted);
  t.deepEqual(asked, ['big 30']);
  t.is(c.quota, 40);
  t.is(big.quota, 40);
  t.is(arb.events.find((e) => e.kind === 'grant' && e.client === 'c')!.time, 5);
});

test('when the largest surplus is not enough, the next is asked too', async (t) => {
  const k = new Kernel({ name: 'mem' });
  const arb = new MemoryArbiter({ budget: 100 });
  const clients: MemoryClient[] = [];
  const asked: string[] = [];
  for (const [name, held] of [
    ['x', 30],
    ['y', 40],
    ['z', 20],
  ] as const) {
    const me: MemoryClient = arb.register({
      name,
      minimum: 0,
      onYield: (bytes) => {
        asked.push(`${name} ${bytes}`);
        me.release(bytes); // answers at once, on the requester's thread
        me.answer(bytes);
      },
    });
    clients.push(me);
    void held;
  }
  const d = arb.register({ name: 'd', minimum: 0 });
  k.spawn(function* () {
    t.true(yield* clients[0]!.request(30));
    t.true(yield* clients[1]!.request(40));
    t.true(yield* clients[2]!.request(20));
    t.true(yield* d.request(60)); // 10 free, 50 short: y 40, then x 10
  });
  await k.run();
  t.deepEqual(asked, ['y 40', 'x 10']);
  t.is(arb.handedOut, 100);
});

test('a component that does not answer by the deadline is reported, and the request denied', async (t) => {
  const k = new Kernel({ name: 'mem' });
  const arb = new MemoryArbiter({ budget: 100, answerDeadlineMs: 20 });
  const mute = arb.register({ name: 'mute', minimum: 0, onYield: () => {} });
  const b = arb.register({ name: 'b', minimum: 0 });
  let granted: boolean | undefined;
  k.spawn(function* () {
    t.true(yield* mute.request(90));
    granted = yield* b.request(50);
  });
  await k.run();
  t.false(granted);
  const unanswered = arb.events.find((e) => e.kind === 'unanswered')!;
  t.like(unanswered, { client: 'mute', bytes: 40, time: 20 });
  t.true(k.warnings.some((w) => w.includes('mute did not answer')));
  t.is(arb.events.at(-1)!.kind, 'deny');
});

test('a component that answers having released too little: the request is denied', async (t) => {
  const k = new Kernel({ name: 'mem' });
  const arb = new MemoryArbiter({ budget: 100 });
  const stingy: MemoryClient = arb.register({
    name: 'stingy',
    minimum: 0,
    onYield: (bytes) => {
      stingy.release(bytes - 1);
      stingy.answer(bytes - 1);
    },
  });
  const b = arb.register({ name: 'b', minimum: 0 });
  let granted: boolean | undefined;
  k.spawn(function* () {
    t.true(yield* stingy.request(100));
    granted = yield* b.request(50);
  });
  await k.run();
  t.false(granted);
  t.is(b.quota, 0);
  t.is(stingy.quota, 51);
});

test('bad input is refused and changes nothing', async (t) => {
  t.throws(() => new MemoryArbiter({ budget: -1 }), { instanceOf: InvalidArgumentError });
  const arb = new MemoryArbiter({ budget: 10 });
  const e = t.throws(() => arb.register({ name: 'x', minimum: 11 }), {
    instanceOf: GreenkernelError,
  });
  t.is(e!.code, 'ENOMEM');
  const a = arb.register({ name: 'a', minimum: 5 });
  const r = t.throws(() => a.release(1), { instanceOf: GreenkernelError });
  t.is(r!.code, 'ERANGE');
  t.throws(() => a.answer(0), { instanceOf: InvalidArgumentError });
  t.is(a.quota, 5);
  t.is(arb.handedOut, 5);
  const k = new Kernel({ name: 'mem' });
  k.spawn(function* () {
    const bad = yield* (function* () {
      try {
        yield* a.request(0);
      } catch (err) {
        return err;
      }
    })();
    t.true(bad instanceof InvalidArgumentError);
  });
  await k.run();
  t.is(arb.events.length, 1);
});

test('property: quotas sum to what is handed out, which never exceeds the budget', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(3), fc.integer({ min: 1, max: 60 }), fc.nat(30)), { maxLength: 40 }),
      fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      async (ops, answers) => {
        const k = new Kernel({ name: 'mem' });
        const arb = new MemoryArbiter({ budget: 128, answerDeadlineMs: 10, backoffMs: 3 });
        const clients: MemoryClient[] = [];
        for (let i = 0; i < 4; i++) {
          const me: MemoryClient = arb.register({
            name: `c${i}`,
            minimum: i * 4,
            onYield: (bytes) => {
              if (!answers[i]) return; // a mute component
              k.spawn(function* () {
                yield* sleep(1);
                const give = Math.min(bytes, me.surplus);
                me.release(give);
                me.answer(give);
              });
            },
          });
          clients.push(me);
        }
        const check = () => {
          const sum = clients.reduce((s, c) => s + c.quota, 0);
          if (sum !== arb.handedOut || arb.handedOut > arb.budget)
            throw new Error('quota invariant');
          for (const c of clients) if (c.quota < c.minimum) throw new Error('below minimum');
        };
        for (let i = 0; i < 4; i++)
          k.spawn(function* () {
            for (const [who, bytes, pause] of ops) {
              if (who !== i) continue;
              yield* sleep(pause);
              yield* clients[i]!.request(bytes);
              check();
            }
          });
        await k.run();
        check();
        return true;
      },
    ),
    { numRuns: 150 },
  );
  t.pass();
});
