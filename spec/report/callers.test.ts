/**
 * Tests of lib/report/callers.ts: an error thrown in a `call`ed subroutine carries the thread's
 * caller chain in its stack.
 */
import test from 'ava';
import { Kernel, call, sleep, type Routine } from '../../lib/index.ts';
import { setReportOptions } from '../../lib/debug.ts';

function* inner(): Routine<void> {
  yield* sleep(1);
  throw new Error('boom in inner');
}
function* middle(): Routine<void> {
  yield* call(inner); // LINE_MIDDLE
}
function* rethrowing(): Routine<void> {
  try {
    yield* call(middle); // LINE_RETHROWING
  } catch (e) {
    throw e; // the chain is already on it: not added twice
  }
}

async function caughtBy(kernel: Kernel, body: () => Routine<void>): Promise<Error> {
  let caught: unknown;
  kernel.spawn(function* outer() {
    try {
      yield* call(body); // LINE_OUTER
    } catch (e) {
      caught = e;
    }
  });
  await kernel.run();
  if (!(caught instanceof Error)) throw new Error(`nothing caught: ${String(caught)}`);
  return caught;
}

test('an error thrown in a called subroutine lists its callers, innermost first, with file:line', async (t) => {
  const error = await caughtBy(new Kernel(), middle);
  const stack = error.stack ?? '';
  const lines = stack.split('\n');
  const at = (fn: string) => lines.findIndex((l) => l.includes(`] ${fn} (`));
  t.true(at('middle') > 0, stack);
  t.true(at('outer') > at('middle'), stack);
  t.regex(
    lines[at('middle')]!,
    /^ {4}at \[outer#1\] middle \(.*spec\/report\/callers\.test\.ts:14:\d+\)$/,
  );
  t.regex(lines[at('outer')]!, /callers\.test\.ts:28:\d+\)$/);
  // the thrower's own frame stays first, above its callers
  const thrower = lines.findIndex((l) => l.includes('at inner '));
  t.true(thrower > 0 && thrower < at('middle'), stack);
});

test('the chain is added once, at the deepest throw, even when a caller rethrows', async (t) => {
  const error = await caughtBy(new Kernel(), rethrowing);
  const stack = error.stack ?? '';
  t.is(stack.split('\n').filter((l) => l.includes('] middle (')).length, 1, stack);
  t.is(stack.split('\n').filter((l) => l.includes('] rethrowing (')).length, 1, stack);
  t.regex(stack, /] rethrowing \(.*callers\.test\.ts:18:\d+\)/);
});

test('nothing is added when the kernel makes no backtraces', async (t) => {
  const kernel = new Kernel();
  setReportOptions(kernel, { backtraces: false });
  const error = await caughtBy(kernel, middle);
  t.notRegex(error.stack ?? '', /\] middle \(/);
});
