import test from 'ava';
import fc from 'fast-check';
import { InvariantError } from '../../lib/index.ts';
import { ThreadQueue, type Linked } from '../../lib/kernel/queue.ts';

type Item = Linked & { label: string; priority: number };
function item(label: string, priority = 0): Item {
  return { label, priority, qnext: null, qprev: null, qowner: null };
}
const labels = (q: ThreadQueue<Item>) => q.toArray().map((i) => i.label);

test('enqueue/popFront are FIFO among equal priorities and keep length; popFront of an empty queue is null', (t) => {
  const q = new ThreadQueue<Item>();
  t.is(q.popFront(), null);
  const [a, b, c] = [item('a'), item('b'), item('c')];
  q.enqueue(a);
  q.enqueue(b);
  q.enqueue(c);
  t.is(q.length, 3);
  t.is(q.head, a);
  t.is(q.tail, c);
  t.is(q.popFront(), a);
  t.is(q.popFront(), b);
  t.is(q.popFront(), c);
  t.is(q.popFront(), null);
  t.is(q.length, 0);
  t.is(q.head, null);
  t.is(q.tail, null);
});

test('remove unlinks the head, the tail or a middle item, and clears its links', (t) => {
  const q = new ThreadQueue<Item>();
  const items = ['a', 'b', 'c', 'd', 'e'].map((label) => item(label));
  for (const i of items) q.enqueue(i);
  q.remove(items[2]!);
  t.deepEqual(labels(q), ['a', 'b', 'd', 'e']);
  q.remove(items[0]!);
  q.remove(items[4]!);
  t.deepEqual(labels(q), ['b', 'd']);
  t.is(q.head, items[1]);
  t.is(q.tail, items[3]);
  t.is(items[2]!.qnext, null);
  t.is(items[2]!.qprev, null);
  t.is(items[2]!.qowner, null);
  t.is(q.length, 2);
});

test('contains tells whether an item is linked into this queue (not another one)', (t) => {
  const q1 = new ThreadQueue<Item>();
  const q2 = new ThreadQueue<Item>();
  const a = item('a');
  t.false(q1.contains(a));
  q1.enqueue(a);
  t.true(q1.contains(a));
  t.false(q2.contains(a));
  q1.remove(a);
  t.false(q1.contains(a));
  q2.enqueue(a);
  t.true(q2.contains(a));
});

test('an item can be in only one queue: pushing it twice or removing it from the wrong queue is an InvariantError', (t) => {
  const q1 = new ThreadQueue<Item>();
  const q2 = new ThreadQueue<Item>();
  const a = item('a');
  q1.enqueue(a);
  t.throws(() => q1.enqueue(a), { instanceOf: InvariantError });
  t.throws(() => q2.enqueue(a), { instanceOf: InvariantError });
  t.throws(() => q2.remove(a), { instanceOf: InvariantError });
  t.is(q1.length, 1);
  t.is(q2.length, 0);
});

test('matches an array model under random push/pop/remove sequences', (t) => {
  type Cmd = { kind: 'push'; who: number } | { kind: 'pop' } | { kind: 'remove'; who: number };
  const cmd: fc.Arbitrary<Cmd> = fc.oneof(
    fc.record({ kind: fc.constant('push' as const), who: fc.nat(11) }),
    fc.record({ kind: fc.constant('pop' as const) }),
    fc.record({ kind: fc.constant('remove' as const), who: fc.nat(11) }),
  );
  fc.assert(
    fc.property(fc.array(cmd, { maxLength: 100 }), (cmds) => {
      const q = new ThreadQueue<Item>();
      const items = Array.from({ length: 12 }, (_, i) => item(String(i)));
      const model: Item[] = [];
      for (const c of cmds) {
        if (c.kind === 'push') {
          if (q.contains(items[c.who]!)) continue;
          q.enqueue(items[c.who]!);
          model.push(items[c.who]!);
        } else if (c.kind === 'pop') {
          if (q.popFront() !== (model.shift() ?? null)) return false;
        } else {
          const i = model.indexOf(items[c.who]!);
          if (i < 0) continue;
          q.remove(items[c.who]!);
          model.splice(i, 1);
        }
        if (
          q.length !== model.length ||
          q.head !== (model[0] ?? null) ||
          q.tail !== (model.at(-1) ?? null)
        )
          return false;
      }
      const arr = q.toArray();
      return arr.length === model.length && arr.every((x, i) => x === model[i]);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('mixed priorities: wake order is highest priority first, FIFO among equals, under random push/pop/remove', (t) => {
  type Cmd =
    | { kind: 'push'; who: number; priority: number }
    | { kind: 'pop' }
    | { kind: 'remove'; who: number };
  const cmd: fc.Arbitrary<Cmd> = fc.oneof(
    fc.record({
      kind: fc.constant('push' as const),
      who: fc.nat(15),
      priority: fc.constantFrom(0, 1, 2, 5, 30, 31),
    }),
    fc.record({ kind: fc.constant('pop' as const) }),
    fc.record({ kind: fc.constant('remove' as const), who: fc.nat(15) }),
  );
  fc.assert(
    fc.property(fc.array(cmd, { maxLength: 120 }), (cmds) => {
      const q = new ThreadQueue<Item>();
      const items = Array.from({ length: 16 }, (_, i) => item(String(i)));
      // The model: arrival order, and a stable sort by priority (descending) gives wake order.
      let arrivals: Item[] = [];
      const model = (): Item[] => [...arrivals].sort((a, b) => b.priority - a.priority);
      for (const c of cmds) {
        if (c.kind === 'push') {
          const it = items[c.who]!;
          if (q.contains(it)) continue;
          it.priority = c.priority; // only while out of every queue, as the kernel does
          q.enqueue(it);
          arrivals.push(it);
        } else if (c.kind === 'pop') {
          const expected = model()[0] ?? null;
          if (q.popFront() !== expected) return false;
          arrivals = arrivals.filter((x) => x !== expected);
        } else {
          const it = items[c.who]!;
          if (!q.contains(it)) continue;
          q.remove(it);
          arrivals = arrivals.filter((x) => x !== it);
        }
        const m = model();
        const arr = q.toArray();
        if (q.length !== m.length || arr.length !== m.length || !arr.every((x, i) => x === m[i]))
          return false;
        if (q.head !== (m[0] ?? null) || q.tail !== (m.at(-1) ?? null)) return false;
        // The back links agree with the forward ones.
        for (let x = q.tail, i = m.length - 1; x !== null; x = x.qprev as Item | null, i--)
          if (x !== m[i]) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('a priority out of range is an InvariantError, and nothing is queued', (t) => {
  const q = new ThreadQueue<Item>();
  t.throws(() => q.enqueue(item('x', 32)), { instanceOf: InvariantError });
  t.is(q.length, 0);
});
