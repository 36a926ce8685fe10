/**
 * run() of a long-lived kernel (lib/kernel/runloop.ts): kernel.shutdown(reason) and
 * run({ signal }) unwind every thread through its finally blocks; no listener outlives a run;
 * misuse is refused. The host stall (the event loop emptied) is tested in a child process.
 */
import test from 'ava';
import { getEventListeners } from 'node:events';
import {
  HostStallError,
  InvalidArgumentError,
  Kernel,
  Mutex,
  Semaphore,
  StallError,
  hostcall,
  sleep,
  type Routine,
} from '../../lib/index.ts';
import { runProgram } from '../helpers/program.ts';
import { expectError, later, withHangGuard } from '../helpers/util.ts';

/** A kernel with threads blocked every way a server's threads block, each logging its finally. */
function server() {
  const k = new Kernel({ name: 'server', clock: 'real' });
  const unwound: string[] = [];
  const m = new Mutex('m');
  const irq = k.hostSource<number>('requests');
  const body = (name: string, wait: () => Routine<unknown>) =>
    function* () {
      try {
        yield* wait();
      } finally {
        unwound.push(name);
      }
    };
  k.spawn(
    body('holder', function* () {
      yield* m.lock();
      yield* sleep(1e9);
    }),
    { name: 'holder' },
  );
  k.spawn(
    body('waiter', function* () {
      yield* m.lock();
    }),
    { name: 'waiter' },
  );
  k.spawn(
    body('reader', function* () {
      for (;;) yield* irq.next();
    }),
    { name: 'reader' },
  );
  k.spawn(
    body('caller', function* () {
      yield* hostcall(new Promise<never>(() => {}));
    }),
    { name: 'caller' },
  );
  k.spawn(
    body('daemon', function* () {
      yield* sleep(1e9);
    }),
    { name: 'daemon', daemon: true },
  );
  return { k, unwound, irq };
}

test('shutdown(reason) from the host unwinds every thread (daemons too) through its finally; run() says so', async (t) => {
  const { k, unwound, irq } = server();
  const running = k.run();
  await later(10, null);
  t.is(k.pendingHostCalls, 1);
  k.shutdown('maintenance');
  k.shutdown('second call does nothing');
  const result = await withHangGuard(running, 'run() after shutdown');
  t.is(result.shutdown, 'maintenance');
  t.deepEqual([...unwound].sort(), ['caller', 'daemon', 'holder', 'reader', 'waiter']);
  t.is(k.threads.length, 0);
  t.is(k.pendingHostCalls, 0);
  t.false(irq.isOpen);
  t.is(k.openSources.length, 0);
  // The kernel can run again, and that run is not a shutdown.
  k.spawn(function* again() {
    yield* sleep(1);
  });
  t.is((await k.run()).shutdown, undefined);
});

// Serial (run before the concurrent tests): they count the process's listeners.
test.serial(
  'run({ signal }): aborting shuts down; no listener (abort, beforeExit) outlives the run',
  async (t) => {
    const { k, unwound } = server();
    const controller = new AbortController();
    const before = process.listenerCount('beforeExit');
    const running = k.run({ signal: controller.signal });
    t.is(process.listenerCount('beforeExit'), before + 1);
    t.is(getEventListeners(controller.signal, 'abort').length, 1);
    await later(10, null);
    controller.abort(new Error('SIGTERM'));
    const result = await withHangGuard(running, 'run() after abort');
    t.is(result.shutdown, 'SIGTERM');
    t.is(unwound.length, 5);
    t.is(process.listenerCount('beforeExit'), before);
    t.is(getEventListeners(controller.signal, 'abort').length, 0);
    // A run that rejects removes them too.
    const k2 = new Kernel();
    k2.spawn(function* stuck() {
      yield* new Semaphore(0, 'never').down();
    });
    const signal = new AbortController().signal;
    await t.throwsAsync(k2.run({ signal }));
    t.is(process.listenerCount('beforeExit'), before);
    t.is(getEventListeners(signal, 'abort').length, 0);
  },
);

test('an aborted signal given to run() shuts down before any thread runs its body', async (t) => {
  const k = new Kernel();
  let ran = false;
  k.spawn(function* never() {
    ran = true;
  });
  const result = await k.run({ signal: AbortSignal.abort('stop') });
  t.false(ran);
  t.is(result.shutdown, 'stop');
});

test('shutdown() from a thread kills the others at once and the caller when it blocks or yields; a thread spawned while unwinding is killed too', async (t) => {
  const k = new Kernel();
  const log: string[] = [];
  k.spawn(function* sleeper() {
    try {
      yield* sleep(1e6);
    } finally {
      log.push('sleeper unwound');
      k.spawn(function* late() {
        try {
          yield* sleep(1e6);
        } finally {
          log.push('late unwound');
        }
      });
    }
  });
  k.spawn(function* boss() {
    yield* sleep(5);
    try {
      k.shutdown('done');
      log.push('boss continues');
      yield* sleep(1e6);
      log.push('boss slept (wrong)');
    } finally {
      log.push('boss unwound');
    }
  });
  const result = k.runSync();
  t.is(result.shutdown, 'done');
  t.deepEqual(log, ['boss continues', 'sleeper unwound', 'boss unwound', 'late unwound']);
});

test('misuse: shutdown with no run in progress, a non-string reason, a bad signal (EINVAL); a thread whose finally blocks forever is a stall', async (t) => {
  const k = new Kernel({ name: 'idle' });
  const e = expectError(
    t,
    t.throws(() => k.shutdown()),
    InvalidArgumentError,
    'EINVAL',
  );
  t.regex(e.message, /idle: shutdown\(\) stops a run in progress/);
  expectError(
    t,
    t.throws(() => k.shutdown(42 as unknown as string)),
    InvalidArgumentError,
    'EINVAL',
  );
  await t.throwsAsync(k.run({ signal: 'no' as unknown as AbortSignal }), {
    instanceOf: InvalidArgumentError,
  });
  t.false(k.running, 'a refused run() leaves the kernel idle');
  const m = new Mutex('m');
  const k2 = new Kernel();
  k2.spawn(function* holder() {
    yield* m.lock();
    yield* sleep(1e9);
  });
  k2.spawn(function* stubborn() {
    try {
      yield* sleep(1e9);
    } finally {
      yield* m.lock(); // the holder unwinds without unlocking: this waits forever
    }
  });
  k2.spawn(function* boss() {
    yield;
    k2.shutdown();
  });
  await t.throwsAsync(k2.run(), { instanceOf: StallError });
  // No new source while shutting down: nothing could ever close it.
  const k3 = new Kernel();
  let refused: unknown;
  k3.spawn(function* unwinding() {
    try {
      yield* sleep(1e9);
    } finally {
      try {
        k3.hostSource('late');
      } catch (error) {
        refused = error;
      }
    }
  });
  k3.spawn(function* boss() {
    yield;
    k3.shutdown();
  });
  await k3.run();
  expectError(t, refused, InvalidArgumentError, 'EINVAL');
});

test('the event loop empties while a host call can never settle: run() rejects with HostStallError naming it and the threads behind it (child process)', async (t) => {
  const r = await runProgram('spec/fixtures/never-settles.ts', []);
  t.is(r.code, 1, `exit code; stderr:\n${r.stderr}`);
  t.regex(
    r.stderr,
    /HostStallError: HOST STALL: the event loop is empty: these host calls can never settle \(1 host call\(s\) in flight, 0 host source\(s\) open; 2 thread\(s\) blocked\)/,
  );
  t.regex(r.stderr, /thread holder#1 \[user, prio 0, blocked on host/);
  t.regex(
    r.stderr,
    /waits for a host call \(hostcall\) to settle since 0 ms\n {4}the event loop is empty: this host call can never settle\n/,
  );
  t.regex(r.stderr, /thread waiter#2 \[user, prio 0, blocked on mutex/);
  t.regex(r.stderr, /waits for mutex "dev\.lock" held by holder#1/);
  t.regex(r.stderr, /never-settles\.ts:\d+/, 'backtraces point at the fixture');
});

test('a caught HostStallError: the program goes on and exits 0; an open source nothing can deliver to is named (child process)', async (t) => {
  const r = await runProgram('spec/fixtures/never-settles.ts', ['catch']);
  t.is(r.code, 0, `exit code; stderr:\n${r.stderr}`);
  t.regex(r.stdout, /caught HostStallError ESTALL, instanceof StallError: true/);
  t.regex(r.stdout, /sources: irq; host calls: 0/);
  t.regex(r.stdout, /1 host source\(s\) open: "irq" \(0 queued, 1 waiting\)/);
  t.regex(r.stdout, /nothing in the host can deliver to this source any more/);
  t.regex(r.stdout, /beforeExit listeners after the run: 0/);
  t.notRegex(r.stdout, /HostStallError[\s\S]*HostStallError/, 'reported once');
  t.true(HostStallError.prototype instanceof StallError);
});

test.serial(
  'many kernels running at once share one beforeExit listener (no MaxListeners warning), removed when the last settles',
  async (t) => {
    const before = process.listenerCount('beforeExit');
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      const kernels = Array.from({ length: 25 }, (_, i) => {
        const k = new Kernel({ name: `k${i}` });
        k.spawn(function* waiter() {
          yield* hostcall(later(5 + i, i));
        });
        return k;
      });
      const runs = kernels.map((k) => k.run());
      t.is(process.listenerCount('beforeExit'), before + 1);
      await withHangGuard(Promise.all(runs), '25 runs');
      t.is(process.listenerCount('beforeExit'), before);
      await later(5, null); // a warning is emitted on the next tick
      t.deepEqual(
        warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  },
);
