/**
 * Property-based test of host sources (lib/kernel/source.ts): random interleavings of host
 * deliveries, dispatch slices, reader kills and one close, under the seeded random policy.
 * Whatever the interleaving:
 *  - every accepted value is taken exactly once (by a live reader or still queued when no
 *    reader was left), in delivery order per reader when no reader was killed (a killed
 *    reader's unseen value goes back to the front of the queue, after later ones were handed
 *    out);
 *  - a delivery is refused only past capacity (ELIMIT) or after close (EPIPE), and a refused
 *    one is never seen;
 *  - after close every reader not killed ends with `done`, and no thread is left waiting; a
 *    value stays queued past a `done` only when a reader killed after close() gave it back;
 *  - the same program and seed give the same schedule trace, byte for byte.
 */
import test from 'ava';
import fc from 'fast-check';
import { Kernel, LimitExceededError, SourceClosedError } from '../../lib/index.ts';

type Step =
  { op: 'deliver'; n: number } | { op: 'run'; steps: number } | { op: 'kill'; reader: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('deliver' as const), n: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant('run' as const), steps: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ op: fc.constant('kill' as const), reader: fc.integer({ min: 0, max: 3 }) }),
);

const programArb = fc.record({
  seed: fc.integer({ min: 0, max: 1000 }),
  readers: fc.integer({ min: 1, max: 4 }),
  capacity: fc.integer({ min: 1, max: 6 }),
  steps: fc.array(stepArb, { maxLength: 30 }),
  closeAt: fc.nat({ max: 30 }),
});

test('random deliveries, slices, kills and a close: each accepted value taken once, in order; refusals change nothing; same seed, same trace', (t) => {
  fc.assert(
    fc.property(programArb, (p) => {
      if (runProgram(p) !== runProgram(p)) throw new Error('same program and seed, another trace');
    }),
    { numRuns: 300 },
  );
  t.pass();
});

type Program = typeof programArb extends fc.Arbitrary<infer P> ? P : never;

/** Runs `p`, checks the properties, and returns the schedule trace. */
function runProgram(p: Program): string {
  const k = new Kernel({ policy: 'random', seed: p.seed, trace: true });
  const irq = k.hostSource<number>('irq', { capacity: p.capacity });
  const got: number[][] = [];
  const ended: boolean[] = [];
  const readers = Array.from({ length: p.readers }, (_, i) => {
    got.push([]);
    ended.push(false);
    return k.spawn(function* reader() {
      for (;;) {
        const r = yield* irq.next();
        if (r.done) {
          ended[i] = true;
          return;
        }
        got[i]!.push(r.value);
      }
    });
  });
  const accepted: number[] = [];
  let next = 0;
  const deliver = (): void => {
    const value = next++;
    const before = irq.queued;
    try {
      irq.deliver(value);
      accepted.push(value);
    } catch (error) {
      const closed = !irq.isOpen;
      if (closed ? !(error instanceof SourceClosedError) : !(error instanceof LimitExceededError))
        throw error;
      if (!closed && before < p.capacity) throw new Error('refused below capacity');
      if (irq.queued !== before) throw new Error('a refused delivery changed the queue');
    }
  };
  p.steps.forEach((s, i) => {
    if (i === p.closeAt) irq.close();
    if (s.op === 'deliver') for (let j = 0; j < s.n; j++) deliver();
    else if (s.op === 'run') k.runUntilIdle(s.steps);
    else if (s.op === 'kill' && s.reader < p.readers) readers[s.reader]!.kill();
  });
  irq.close();
  k.runUntilIdle();
  const taken = got.flat();
  const leftInQueue = irq.queued;
  // Every accepted value is taken once, unless no reader was left to take it.
  if (new Set(taken).size !== taken.length) throw new Error(`a value taken twice: ${taken}`);
  for (const v of taken) if (!accepted.includes(v)) throw new Error(`unaccepted ${v} taken`);
  if (taken.length + leftInQueue !== accepted.length)
    throw new Error(`${accepted.length} accepted, ${taken.length} taken, ${leftInQueue} queued`);
  const killed = readers.some((r) => r.exitStatus === 'killed');
  // Only a value given back by a reader killed after close() can stay queued past a `done`.
  if (leftInQueue > 0 && readers.some((r) => r.exitStatus === 'returned') && !killed)
    throw new Error('values left queued while a reader ended with done');
  for (const g of got)
    if (!killed && g.some((v, i) => i > 0 && v < g[i - 1]!)) throw new Error(`out of order: ${g}`);
  readers.forEach((r, i) => {
    if (r.exitStatus !== 'killed' && !ended[i]) throw new Error(`reader ${i} not done`);
  });
  if (k.threads.length !== 0 || irq.waiting !== 0 || k.openSources.length !== 0)
    throw new Error('threads left waiting after close');
  return k.trace;
}
