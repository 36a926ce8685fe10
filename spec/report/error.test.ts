/**
 * Tests of lib/report/error.ts (ReportError), GreenkernelError's inspect and JSON forms, and
 * lib/kernel/ms.ts: what a user sees when a greenkernel error is printed, logged or serialised.
 */
import test from 'ava';
import { inspect } from 'node:util';
import {
  DeadlockError,
  InvalidArgumentError,
  LockOrderError,
  Kernel,
  Mutex,
  ReportError,
  Semaphore,
  StallError,
  TimeoutError,
  UnjoinedThreadError,
  formatMs,
  roundMs,
  sleep,
} from '../../lib/index.ts';
import { scenario } from '../../demos/ab-ba.ts';
import { runProgram } from '../helpers/program.ts';

async function deadlock(): Promise<DeadlockError> {
  const error = await scenario('fail')
    .kernel.run()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!(error instanceof DeadlockError))
    throw new Error(`expected a DeadlockError: ${String(error)}`);
  return error;
}

async function stall(): Promise<StallError> {
  const kernel = new Kernel({ name: 'stall' });
  const work = new Semaphore(0, 'work');
  kernel.spawn(function* worker() {
    yield* work.down();
  });
  const error = await kernel.run().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof StallError)) throw new Error(`expected a StallError: ${String(error)}`);
  return error;
}

test('an uncaught DeadlockError of the AB-BA demo prints its report, a short stack and its code, in under 60 lines', async (t) => {
  const { code, stderr } = await runProgram('spec/fixtures/uncaught-deadlock.ts', []);
  t.is(code, 1);
  const lines = stderr.split('\n');
  t.true(lines.length < 60, `${lines.length} lines:\n${stderr}`);
  t.regex(stderr, /DeadlockError: DEADLOCK: wait-for cycle of 2 thread\(s\)/);
  t.regex(stderr, /bob#2 waits for mutex "A" held by alice#1/);
  t.regex(stderr, /demos\/ab-ba\.ts:36:/);
  t.regex(stderr, /code: 'EDEADLK'/);
  t.notRegex(stderr, /Kernel \{|Thread \{|Mutex \{|cycle: \[|runq|hooks/, 'no object graph');
  t.notRegex(stderr, /lib\/detect\/detector\.ts/, 'no greenkernel-internal frames');
});

test('an uncaught StallError prints its report without the blocked threads behind it', async (t) => {
  const { code, stderr } = await runProgram('spec/fixtures/uncaught-stall.ts', []);
  t.is(code, 1);
  t.true(stderr.split('\n').length < 60, stderr);
  t.regex(stderr, /StallError: STALL: 1 thread\(s\) blocked/);
  t.regex(stderr, /code: 'ESTALL'/);
  t.notRegex(stderr, /Thread \{|blocked: \[|Kernel \{/);
});

test('util.inspect of a report error: name, code, report, short stack; live objects reachable but hidden', async (t) => {
  const error = await deadlock();
  t.true(error instanceof ReportError);
  const text = inspect(error);
  t.true(text.startsWith('DeadlockError [EDEADLK]: DEADLOCK: wait-for cycle of 2 thread(s)'), text);
  t.true(text.split('\n').length < 60, text);
  t.regex(text, /alice#1 waits for mutex "B" held by bob#2/);
  t.regex(text, /at transfer .*demos\/ab-ba\.ts/);
  t.notRegex(text, /Thread \{|Kernel \{/);
  // still there for code that wants them
  t.is(error.cycle.length, 2);
  t.is(error.cycle[0]!.thread.name, 'bob');
  t.false(Object.keys(error).includes('cycle'));
  t.false(Object.keys(error).includes('report'));
  t.is(error.report.kind, 'deadlock');

  const s = await stall();
  t.is(s.blocked.length, 1);
  t.false(Object.keys(s).includes('blocked'));
  t.true(inspect(s).split('\n').length < 60);
  t.notRegex(inspect(s), /Thread \{/);
});

test('JSON.stringify of a report error is its report', async (t) => {
  const error = await deadlock();
  const json = JSON.stringify(error);
  t.is(json, JSON.stringify(error.report));
  t.is((JSON.parse(json) as { kind: string }).kind, 'deadlock');
  const s = await stall();
  t.is(JSON.stringify(s), JSON.stringify(s.report));
  t.deepEqual(JSON.parse(JSON.stringify(new InvalidArgumentError('bad n'))), {
    name: 'InvalidArgumentError',
    code: 'EINVAL',
    message: 'bad n',
  });
});

test('an UnjoinedThreadError keeps its failures reachable, not enumerable, and serialises', async (t) => {
  const kernel = new Kernel({ name: 'failing' });
  kernel.spawn(function* crash() {
    yield* sleep(1);
    throw new TypeError('boom');
  });
  const error = await kernel.run().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UnjoinedThreadError)) return t.fail(String(error));
  t.is(error.failures.length, 1);
  t.false(Object.keys(error).includes('failures'));
  t.regex(inspect(error), /UnjoinedThreadError \[ETHREAD\]: 1 thread\(s\) failed/);
  t.regex(inspect(error), /\[cause\]: TypeError: boom/);
  t.is((JSON.parse(JSON.stringify(error)) as { kind: string }).kind, 'failures');
});

test('util.inspect of a plain greenkernel error shows name, code, message and its own data', (t) => {
  const text = inspect(new TimeoutError('mutex m', 12));
  t.true(
    text.startsWith('TimeoutError [ETIMEDOUT]: timed out after 12 ms waiting for mutex m'),
    text,
  );
  t.regex(text, /waitedMs: 12/);
});

test('formatMs and roundMs round to the microsecond; integers print unchanged', (t) => {
  t.is(formatMs(13.437000000000012), '13.437 ms');
  t.is(formatMs(5), '5 ms');
  t.is(roundMs(0.0004), 0);
  t.is(roundMs(-0.0004), 0);
  t.is(roundMs(2.0005), 2.001);
  t.is(roundMs(Infinity), Infinity);
});

const MICROSECONDS = /^\d+(\.\d{1,3})? ms$/;

test("under clock 'real', a timeout's message and a dump print times rounded to the µs", async (t) => {
  // a dump while a thread waits: the kernel's time, how long it waited, since when
  const kernel = new Kernel({ name: 'real', clock: 'real' });
  const m = new Mutex('m');
  let dump = '';
  kernel.spawn(function* holder() {
    yield* m.lock();
    yield* sleep(1.5); // the waiter is blocked on m meanwhile
    dump = kernel.dump();
    m.unlock();
  });
  kernel.spawn(function* waiter() {
    yield* m.lock();
    m.unlock();
  });
  await kernel.run();
  const times = [...dump.matchAll(/(?:time|since|, ) ?(\d[\d.e-]* ms)/g)].map((x) => x[1]!);
  t.true(times.length >= 3, dump); // time, for, since
  for (const time of times) t.regex(time, MICROSECONDS, dump);

  // a timeout's message
  const timed = new Kernel({ name: 'timed', clock: 'real' });
  const n = new Mutex('n');
  let timeout: unknown;
  timed.spawn(function* holder() {
    yield* n.lock();
    yield* sleep(30);
    n.unlock();
  });
  timed.spawn(function* waiter() {
    try {
      yield* n.lock(2.5);
    } catch (e) {
      timeout = e;
    }
  });
  await timed.run();
  if (!(timeout instanceof TimeoutError)) return t.fail(String(timeout));
  const waited = /timed out after (\S+ ms) waiting/.exec(timeout.message)?.[1] ?? '';
  t.regex(waited, MICROSECONDS, timeout.message);
});

test('a LockOrderError inspects as its report and serialises as it', async (t) => {
  const kernel = new Kernel({ name: 'lo', detection: { cycles: 'off', lockOrder: 'fail' } });
  const a = new Mutex('A');
  const b = new Mutex('B');
  kernel.spawn(function* one() {
    yield* a.lock();
    yield* b.lock();
    b.unlock();
    a.unlock();
    yield* b.lock();
    yield* a.lock(); // the inversion
    a.unlock();
    b.unlock();
  });
  const error = await kernel.run().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof LockOrderError)) return t.fail(String(error));
  const text = inspect(error);
  t.true(text.startsWith('LockOrderError [EDEADLK]: LOCK ORDER INVERSION'), text);
  t.true(text.split('\n').length < 60, text);
  t.notRegex(text, /Thread \{|Kernel \{/);
  t.is(JSON.stringify(error), JSON.stringify(error.report));
});
