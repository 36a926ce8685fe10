/**
 * The wait-kind registry (lib/kernel/waitkind.ts): a new kind of wait — here a test-only
 * 'test-io' — is added by one registration, and the scheduler, the deadlock detector and the
 * reports all know it without an edit.
 */
import test from 'ava';
import {
  DeadlockError,
  InvalidArgumentError,
  Kernel,
  LimitExceededError,
  Mutex,
  StallError,
  type Thread,
  type Waitable,
} from '../../lib/index.ts';
import { registerWaitKind, waitKindName } from '../../lib/spi.ts';
import { block, enter, suspended } from '../../lib/spi.ts';
import type { Operation } from '../../lib/index.ts';
import { MAX_WAIT_KINDS } from '../../lib/kernel/waitkind.ts';
import { expectError } from '../helpers/util.ts';

const WAIT_TEST_IO = registerWaitKind({
  name: 'test-io',
  durable: true,
  ownerless: false,
  stallHint: (r) => `no completion thread will finish ${r?.name}`,
  phrase: (r, owners) =>
    `waits for I/O on ${r.name}${owners === '' ? '' : ` (completed by ${owners})`}`,
});

/** A request to a toy device: its waiters wait for the device's completion thread, if any. */
class IoRequest implements Waitable {
  readonly resourceKind = 'io';
  readonly waiters: Thread[] = [];
  constructor(
    readonly name: string,
    private readonly completer: Thread | null,
  ) {}
  owners(): readonly Thread[] {
    return this.completer === null ? [] : [this.completer];
  }
  soleOwner(): Thread | null {
    return this.completer;
  }
  removeWaiter(t: Thread): void {
    this.waiters.splice(this.waiters.indexOf(t), 1);
  }
  wait(): Operation<void> {
    const self = enter('IoRequest.wait()');
    block(self, this, WAIT_TEST_IO, undefined);
    this.waiters.push(self);
    return suspended<void>(self);
  }
}

test.serial(
  'a registered kind is named in the thread state, the dump and a stall report, with its hint',
  (t) => {
    const k = new Kernel();
    const request = new IoRequest('dev0 lba 17', null);
    const user = k.spawn(function* reader() {
      yield* request.wait();
    });
    k.runUntilIdle();
    t.is(user.waitKind, 'test-io');
    t.is(waitKindName(WAIT_TEST_IO), 'test-io');
    const e = t.throws(() => k.runSync(), { instanceOf: StallError })!;
    t.is(e.report.threads[0]!.waits?.kind, 'test-io');
    t.regex(e.message, /waits for I\/O on dev0 lba 17/);
    t.regex(e.message, /no completion thread will finish dev0 lba 17/);
  },
);

test.serial('cycle detection walks a registered kind through the owner it answers', async (t) => {
  const k = new Kernel();
  const m = new Mutex('buffer');
  let request!: IoRequest;
  const completer = k.spawn(function* completion() {
    yield;
    yield* m.lock(); // the requester holds it: completion -> buffer -> requester -> io -> completion
  });
  k.spawn(function* requester() {
    yield* m.lock();
    request = new IoRequest('dev0 lba 3', completer);
    yield* request.wait();
  });
  const e = await t.throwsAsync(k.run());
  t.true(e instanceof DeadlockError, String(e));
  t.regex(
    (e as DeadlockError).message,
    /waits for I\/O on dev0 lba 3 \(completed by completion#1\)/,
  );
});

test.serial('a name is registered once; past MAX_WAIT_KINDS registration is refused', (t) => {
  expectError(
    t,
    t.throws(() => registerWaitKind({ name: 'test-io', durable: true, ownerless: false })),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => registerWaitKind({ name: '', durable: true, ownerless: false })),
    InvalidArgumentError,
    'EINVAL',
  );
  let registered = 0;
  const error = t.throws(() => {
    for (let i = 0; i <= MAX_WAIT_KINDS; i++) {
      registerWaitKind({ name: `filler-${i}`, durable: true, ownerless: true });
      registered++;
    }
  });
  expectError(t, error, LimitExceededError, 'ELIMIT');
  t.true(registered < MAX_WAIT_KINDS, 'the built-in kinds took some of the ids');
  t.is(waitKindName(MAX_WAIT_KINDS), `filler-${registered - 1}`, 'the last id is usable');
});
