import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kernel, Semaphore, call, currentThread, type StackFrame } from '../../lib/index.ts';
import { MAX_FRAMES, backtrace, backtraceSupport, formatFrames } from '../../lib/debug.ts';

const FILE = fileURLToPath(import.meta.url);
const source = readFileSync(FILE, 'utf8').split('\n');
/** 1-based line of the marker comment in this file. */
const line = (mark: string): number => source.findIndex((l) => l.includes(`// MARK: ${mark}`)) + 1;

function* level3(s: Semaphore) {
  yield* s.down(); // MARK: level3-wait
  return 3;
}
function* level2(s: Semaphore) {
  const v = yield* call(level3, s); // MARK: level2-call
  return v + 2;
}
function* level1(s: Semaphore) {
  const v = yield* call(level2, s); // MARK: level1-call
  return v + 1;
}

test('the inspector is available under tsx and ava', (t) => {
  t.is(backtraceSupport().method, 'inspector');
});

test('a blocked thread: every frame, innermost first, with its exact .ts file and line', (t) => {
  const k = new Kernel({ detection: false });
  const s = new Semaphore(0, 's');
  const th = k.spawn(function* body() {
    return yield* call(level1, s); // MARK: body-call
  });
  k.runUntilIdle();
  const frames = backtrace(th);
  t.deepEqual(
    frames.map((f) => [f.fn, f.file, f.line]),
    [
      ['level3', FILE, line('level3-wait')],
      ['level2', FILE, line('level2-call')],
      ['level1', FILE, line('level1-call')],
      ['body', FILE, line('body-call')],
    ],
  );
  t.true(frames.every((f) => f.note === undefined));
  s.up();
  k.runSync();
  t.is(th.result, 6, 'looking at the frames changed nothing: the thread resumes and returns');
});

test('the running thread: read from the JS stack, down to the scheduler', (t) => {
  const k = new Kernel({ detection: false });
  let frames: StackFrame[] = [];
  function* inner() {
    frames = backtrace(currentThread()); // MARK: running
  }
  k.spawn(function* outer() {
    yield* call(inner); // MARK: outer-call
  });
  k.runSync();
  t.deepEqual(
    frames.map((f) => [f.fn, f.line]),
    [
      ['inner', line('running')],
      ['outer', line('outer-call')],
    ],
  );
});

test('a thread that has not started yet shows its body, noted', (t) => {
  const k = new Kernel({ detection: false });
  const th = k.spawn(function* notYet() {
    yield;
  });
  const [f] = backtrace(th);
  t.is(f!.fn, 'notYet');
  t.is(f!.note, 'not started');
  t.is(f!.file, FILE);
  k.runSync();
});

test('deep stacks are cut at MAX_FRAMES with a note', (t) => {
  const k = new Kernel({ detection: false });
  const s = new Semaphore(0, 's');
  function* deep(n: number): Generator<never, void, unknown> {
    if (n === 0) yield* s.down() as Generator<never, void, unknown>;
    else yield* call(deep, n - 1) as Generator<never, void, unknown>;
  }
  const th = k.spawn(function* bottom() {
    yield* call(deep, MAX_FRAMES + 5);
  });
  k.runUntilIdle();
  const frames = backtrace(th);
  t.is(frames.length, MAX_FRAMES + 1);
  t.regex(frames[MAX_FRAMES]!.fn, /^\.\.\. 7 outer frame\(s\) omitted$/);
  s.up();
  k.runSync();
});

test('formatFrames prints Go-style lines with paths relative to the working directory', (t) => {
  const lines = formatFrames(
    [
      { fn: 'f', file: '/w/p/src/a.ts', line: 3, column: 7 },
      { fn: 'g', file: null, line: null, column: null, note: 'why' },
    ],
    '  ',
    '/w/p',
  );
  t.deepEqual(lines, ['  f()', '  \tsrc/a.ts:3:7', '  g()  (why)']);
});
