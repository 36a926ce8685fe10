import { readFileSync } from 'node:fs';
import test from 'ava';
import {
  DeadlockError,
  LockOrderError,
  StallError,
  detectionReports,
  type Report,
  type ThreadReport,
} from '../lib/index.ts';
import * as abba from '../demos/ab-ba.ts';
import { balloonSvg, scenario as balloonScenario } from '../demos/balloon.ts';
import * as joinCycle from '../demos/join-cycle.ts';
import * as lockOrder from '../demos/lock-order.ts';
import * as lostWakeup from '../demos/lost-wakeup.ts';
import { runNaivePool } from '../demos/naive-pool.ts';
import * as philosophers from '../demos/philosophers.ts';
import * as rump from '../demos/rump-io.ts';
import * as semaphoreStall from '../demos/semaphore-stall.ts';
import { demos, main } from '../demos/index.ts';
import { demoDocument, reportDot } from '../demos/common.ts';

function thread(r: Report, name: string): ThreadReport {
  const t = r.threads.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no thread ${name} in report`);
  return t;
}

/** The innermost frame is `fn` in demos/`file`, and the frames below name the thread's callers. */
function blockedIn(t: ThreadReport, fns: string[], file: string): boolean {
  return (
    t.backtrace.length >= fns.length &&
    fns.every(
      (fn, i) => t.backtrace[i]!.fn === fn && t.backtrace[i]!.file!.endsWith(`demos/${file}`),
    )
  );
}

test('rump-io (0): the naive run-to-completion pool hangs, detected by its step bound', (t) => {
  const hung = runNaivePool({ contexts: 2, reads: 2 });
  t.false(hung.finished);
  t.is(hung.completedReads, 0);
  t.regex(hung.report, /HANG \(naive run-to-completion pool\)/);
  t.regex(hung.report, /context 0: runs "read blk 0", blocked waiting for io blk 0/);
  t.regex(hung.report, /queue: "completion io blk 1", "completion io blk 0"/);
  t.true(
    runNaivePool({ contexts: 3, reads: 2 }).finished,
    'one more context than reads: it finishes',
  );
});

test('rump-io (a): kernel threads are independently runnable: 20 concurrent reads all complete', async (t) => {
  const r = await rump.independentRunnability(20);
  t.is(r.completed, 20);
});

test('rump-io (b): the kernel thread inherits the waiting user priority past the hog, and falls back on unlock', async (t) => {
  const { events, intr } = await rump.priorityScenario('mutex');
  t.deepEqual(events, [
    'intr completes blk 1 at prio 1',
    'user wants dev.lock (prio 10)',
    'intr completes blk 2 at prio 10',
    'intr bookkeeping at prio 10',
    'intr bookkeeping at prio 10',
    'intr bookkeeping at prio 10',
    'intr unlocked, prio 1 (base 1)',
    'user got dev.lock (completed 2)',
    'hog finished its CPU burst',
  ]);
  t.is(intr.priority, 1);
  const inverted = await rump.priorityScenario('semaphore');
  t.true(
    inverted.events.indexOf('hog finished its CPU burst') <
      inverted.events.indexOf('user got dev.lock (completed 2)'),
    'without an owner there is no inheritance: inversion',
  );
});

test('rump-io (c): on unlock the highest-priority waiter goes first, FIFO among equals', async (t) => {
  t.deepEqual(await rump.wakeOrder(), ['w2(7)', 'w4(7)', 'w1(3)', 'w3(3)']);
});

test('rump-io (d): keeping dev.lock across the completion wait is a cycle through the declared holder', async (t) => {
  const error = await rump.buggyDriver();
  t.true(error instanceof DeadlockError);
  const r = (error as DeadlockError).report;
  t.deepEqual(
    r.cycles[0]!.map((s) => `${s.thread.name} ${s.kind} ${s.waitsFor.name} -> ${s.heldBy.name}`),
    ['intr mutex dev.lock -> cat', 'cat completion io blk 7 -> intr'],
  );
  const cat = thread(r, 'cat');
  t.deepEqual(
    cat.holds.map((h) => h.name),
    ['dev.lock'],
  );
  t.true(blockedIn(cat, ['readBlock', 'vfsRead', 'cat'], 'rump-io.ts'));
  const intr = thread(r, 'intr');
  t.is(intr.kind, 'kernel');
  t.true(intr.daemon);
  t.true(
    intr.backtrace.some((f) => f.fn === 'interruptThread' && f.file!.endsWith('demos/rump-io.ts')),
  );
});

test('ab-ba: the report names both threads, both mutexes, and transfer() in demos/ab-ba.ts', async (t) => {
  const { kernel } = abba.scenario('fail');
  const error = await t.throwsAsync(kernel.run(), { instanceOf: DeadlockError });
  const r = error.report;
  t.deepEqual(
    r.cycles[0]!.map((s) => `${s.thread.name} waits ${s.waitsFor.name} held by ${s.heldBy.name}`),
    ['bob waits A held by alice', 'alice waits B held by bob'],
  );
  t.true(blockedIn(thread(r, 'alice'), ['transfer', 'alice'], 'ab-ba.ts'));
  t.true(blockedIn(thread(r, 'bob'), ['transfer', 'bob'], 'ab-ba.ts'));
  t.regex(error.message, /transfer\(\)\n\s+demos\/ab-ba\.ts:\d+:\d+/);
  const retry = abba.scenario('error');
  await retry.kernel.run();
  t.true(retry.log.includes('EDEADLK on attempt 1: backing off'));
});

test('philosophers: five-thread cycle; the ordered variant finishes with no report', async (t) => {
  const bad = philosophers.table(false);
  const error = await t.throwsAsync(bad.kernel.run(), { instanceOf: DeadlockError });
  t.is(error.cycle.length, 5);
  t.deepEqual(error.report.threads.map((x) => x.holds.map((h) => h.name)[0]).sort(), [
    'fork 0',
    'fork 1',
    'fork 2',
    'fork 3',
    'fork 4',
  ]);
  for (const th of error.report.threads)
    t.true(blockedIn(th, ['eat', 'philosopher'], 'philosophers.ts'), th.name);
  const good = philosophers.table(true);
  await good.kernel.run();
  t.is(good.meals.count, 15);
  t.deepEqual(detectionReports(good.kernel), []);
});

test('lost wakeup: a stall report naming the condvar, with a lost-wakeup hint, blocked in consumeRacy()', async (t) => {
  const error = await t.throwsAsync(lostWakeup.scenario(true).kernel.run(), {
    instanceOf: StallError,
  });
  const consumer = thread(error.report, 'consumer');
  t.like(consumer.waits, { kind: 'condvar', resource: { name: 'queue.ready' }, owners: [] });
  t.regex(consumer.waits!.hint!, /lost wakeup/);
  t.true(blockedIn(consumer, ['consumeRacy', 'consumer'], 'lost-wakeup.ts'));
  t.is(error.report.threads.length, 1);
  await t.notThrowsAsync(lostWakeup.scenario(false).kernel.run());
});

test('join cycle: through a join target and a mutex owner', async (t) => {
  const error = await t.throwsAsync(joinCycle.scenario().kernel.run(), {
    instanceOf: DeadlockError,
  });
  t.deepEqual(
    error.report.cycles[0]!.map((s) => `${s.thread.name} ${s.kind}`),
    ['scanner mutex', 'mounter join'],
  );
  t.true(blockedIn(thread(error.report, 'mounter'), ['mount', 'mounter'], 'join-cycle.ts'));
  t.true(blockedIn(thread(error.report, 'scanner'), ['scanDisk'], 'join-cycle.ts'));
  t.deepEqual(
    thread(error.report, 'mounter').holds.map((h) => h.name),
    ['superblock'],
  );
});

test('semaphore stall: both transfers wait on the exhausted semaphore in dmaTransfer()', async (t) => {
  const error = await t.throwsAsync(semaphoreStall.scenario(false).kernel.run(), {
    instanceOf: StallError,
  });
  t.is(error.report.cycles.length, 0, 'ownerless: no cycle, a stall');
  for (const name of ['transfer A', 'transfer B']) {
    const th = thread(error.report, name);
    t.like(th.waits, { kind: 'semaphore', resource: { name: 'dma.buffers' } });
    t.regex(th.waits!.hint!, /semaphore exhausted \(count 0\)/);
    t.true(blockedIn(th, ['dmaTransfer', 'transfer'], 'semaphore-stall.ts'));
  }
  await t.notThrowsAsync(semaphoreStall.scenario(true).kernel.run());
});

test('lock order: the inversion is reported in a run that completes; fail mode rejects', async (t) => {
  const { kernel } = lockOrder.scenario('warn');
  await kernel.run();
  const [r] = detectionReports(kernel);
  t.deepEqual(r!.lockOrder!.classes, ['mutex buffer', 'mutex inode', 'mutex buffer']);
  const [fresh, known] = r!.lockOrder!.edges;
  t.is(fresh!.thread.name, 'flusher');
  t.is(fresh!.backtrace[0]!.fn, 'flushBuffer');
  t.true(fresh!.backtrace[0]!.file!.endsWith('demos/lock-order.ts'));
  t.is(known!.thread.name, 'writer');
  t.is(known!.backtrace[0]!.fn, 'writeBlock');
  await t.throwsAsync(lockOrder.scenario('fail').kernel.run(), { instanceOf: LockOrderError });
});

test('a lock-order report is drawn as its cycle of lock classes, a deadlock as its wait-for graph', async (t) => {
  const { kernel } = lockOrder.scenario('warn');
  await kernel.run();
  const [r] = detectionReports(kernel);
  const dot = reportDot(r!);
  t.true(dot.startsWith('digraph "lock-order lock-order graph" {'));
  t.regex(dot, /^ {2}"mutex buffer" \[/m);
  t.regex(dot, /^ {2}"mutex inode" \[/m);
  t.regex(
    dot,
    /^ {2}"mutex buffer" -> "mutex inode" \[label="flusher#2 at step 3, 10 ms", color=red/m,
  );
  t.regex(
    dot,
    /^ {2}"mutex inode" -> "mutex buffer" \[label="writer#1 at step 1, 0 ms", color=red/m,
  );
  t.regex(
    dot,
    /label="LOCK ORDER INVERSION: possible deadlock \(mutex buffer -> mutex inode -> mutex buffer\)\\nan edge A -> B: B was taken while holding A"/,
  );
  t.regex(dot, /\}$/);
  const error = await t.throwsAsync(abba.scenario('fail').kernel.run(), {
    instanceOf: DeadlockError,
  });
  t.regex(reportDot(error.report), /^digraph "ab-ba wait-for graph"/);
});

test('demoDocument: the JSON document of a run, one entry per demo, every report kept', async (t) => {
  const r = await abba.demo.run();
  const doc = JSON.parse(
    JSON.stringify(demoDocument([{ demo: abba.demo, result: r }])),
  ) as ReturnType<typeof demoDocument>;
  t.deepEqual(
    doc.demos.map((d) => [d.name, d.title, d.expected, d.reports.length]),
    [['ab-ba', abba.demo.title, true, 1]],
  );
  t.is(doc.demos[0]!.reports[0]!.kind, 'deadlock');
});

test('every demo runs and behaves as it says; main() lists and refuses unknown names', async (t) => {
  for (const d of demos) {
    const r = await d.run();
    t.true(r.expected, `${d.name}:\n${r.output}`);
    t.true(r.output.length > 0);
    // balloon and fs-two draw quota timelines, fs-crash prints the crash checker's summary;
    // every other demo is about its report(s).
    if (!['balloon', 'fs-crash', 'fs-two'].includes(d.name)) t.true(r.reports.length > 0, d.name);
  }
  t.is(demos.length, 11);
  const log = console.log;
  const error = console.error;
  console.log = () => {};
  console.error = () => {};
  try {
    t.is(await main(['--list']), 0);
    t.is(await main(['no-such-demo']), 2);
    t.is(await main(['ab-ba']), 0);
  } finally {
    console.log = log;
    console.error = error;
  }
});

test('balloon: the idle cache yields to the busy one and takes memory back; docs/balloon.svg is this run', async (t) => {
  const { samples, arbiter } = await balloonScenario();
  const at = (ms: number) => samples.find((s) => s.t === ms)!;
  t.true(at(290).a > 3 * at(290).b, 'A busy: A holds most of the budget');
  t.true(at(590).b > 3 * at(590).a, 'B busy: B took it over');
  t.true(at(890).a > 3 * at(890).b, 'A busy again: A took it back');
  for (const s of samples) t.true((s.a + s.b) * 4096 <= arbiter.budget);
  t.true(arbiter.events.some((e) => e.kind === 'yield' && e.client === 'cacheA'));
  t.true(arbiter.events.some((e) => e.kind === 'yield' && e.client === 'cacheB'));
  const committed = readFileSync(new URL('../docs/balloon.svg', import.meta.url), 'utf8');
  t.is(committed, balloonSvg(samples), 'regenerate with npm run chart:balloon');
});
