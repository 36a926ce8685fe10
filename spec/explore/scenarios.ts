/**
 * Planted bugs for the explorer's tests, each hidden behind one interleaving (the FIFO schedule
 * passes), and their correct twins. Each is a Scenario: a function that sets up a kernel.
 */
import { Mutex, tsleep, wakeup, type Kernel } from '../../lib/index.ts';
import type { ScenarioChecks } from '../../lib/explore/index.ts';

/**
 * Check-then-act: two withdrawals of 80 from 100; `b` checks and acts across a yield, `a` does
 * two units of other work first. Under FIFO `a` checks after `b` acted.
 */
export function checkThenAct(kernel: Kernel): ScenarioChecks {
  const account = { balance: 100 };
  function* withdraw(amount: number) {
    if (account.balance >= amount) {
      yield; // the window: a check and its act are not atomic across a yield
      account.balance -= amount;
    }
  }
  kernel.spawn(
    function* () {
      yield;
      yield;
      yield* withdraw(80);
    },
    { name: 'a' },
  );
  kernel.spawn(
    function* () {
      yield* withdraw(80);
      yield;
    },
    { name: 'b' },
  );
  return { invariant: () => account.balance >= 0 };
}

/** The same with the check and the act under one mutex: no schedule overdraws. */
export function checkThenActLocked(kernel: Kernel): ScenarioChecks {
  const account = { balance: 100 };
  const m = new Mutex('account');
  function* withdraw(amount: number) {
    yield* m.lock();
    if (account.balance >= amount) {
      yield;
      account.balance -= amount;
    }
    m.unlock();
  }
  kernel.spawn(
    function* () {
      yield;
      yield;
      yield* withdraw(80);
    },
    { name: 'a' },
  );
  kernel.spawn(
    function* () {
      yield* withdraw(80);
      yield;
    },
    { name: 'b' },
  );
  return { invariant: () => account.balance >= 0 };
}

/** AB-BA: `b` takes m2 then m1; under FIFO `a` has both before `b` takes m2. */
export function orderingDeadlock(kernel: Kernel): void {
  const m1 = new Mutex('m1');
  const m2 = new Mutex('m2');
  kernel.spawn(
    function* () {
      yield* m1.lock();
      yield;
      yield* m2.lock();
      m2.unlock();
      m1.unlock();
    },
    { name: 'a' },
  );
  kernel.spawn(
    function* () {
      yield;
      yield* m2.lock();
      yield;
      yield* m1.lock();
      m1.unlock();
      m2.unlock();
    },
    { name: 'b' },
  );
}

/** The same with one lock order: no deadlock. */
export function orderedLocks(kernel: Kernel): void {
  const m1 = new Mutex('m1');
  const m2 = new Mutex('m2');
  for (const name of ['a', 'b']) {
    kernel.spawn(
      function* () {
        yield* m1.lock();
        yield;
        yield* m2.lock();
        yield;
        m2.unlock();
        m1.unlock();
      },
      { name },
    );
  }
}

/**
 * Lost wake-up: the consumer checks a flag and sleeps on a channel across a yield; the
 * producer sets the flag and wakes once. Under FIFO the consumer is asleep by then.
 */
export function lostWakeup(kernel: Kernel): void {
  const state = { ready: false };
  kernel.spawn(
    function* () {
      if (!state.ready) {
        yield; // the window between the check and the sleep
        yield* tsleep(state);
      }
    },
    { name: 'consumer' },
  );
  kernel.spawn(
    function* () {
      yield;
      state.ready = true;
      wakeup(state);
    },
    { name: 'producer' },
  );
}

/** The same, the consumer re-checking after every wake-up and nothing between check and sleep. */
export function noLostWakeup(kernel: Kernel): void {
  const state = { ready: false };
  kernel.spawn(
    function* () {
      yield;
      while (!state.ready) yield* tsleep(state);
    },
    { name: 'consumer' },
  );
  kernel.spawn(
    function* () {
      yield;
      state.ready = true;
      wakeup(state);
    },
    { name: 'producer' },
  );
}
