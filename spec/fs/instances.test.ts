/**
 * Several file-system instances at once, each on its own device and block cache, sharing one
 * memory arbiter (the scenario of demos/fs-two.ts).
 */
import test from 'ava';
import { fsck } from '../../lib/fs/index.ts';
import { scenario } from '../../demos/fs-two.ts';

test('two instances under one arbiter: both work, the busy cache balloons, the detector stays silent', async (t) => {
  const { kernel, arbiter, sides, samples, error } = await scenario();
  t.is(error, undefined);
  t.deepEqual(kernel.warnings, []);
  // Phase A-busy: fsA did work, fsB none; B-busy: the reverse; both: both.
  t.true(sides[0]!.ops[0]! > 0 && sides[1]!.ops[0] === 0);
  t.true(sides[1]!.ops[1]! > 0 && sides[0]!.ops[1] === 0);
  t.true(sides[0]!.ops[2]! > 0 && sides[1]!.ops[2]! > 0);
  const at = (ms: number) => samples.find((s) => s.t === ms)!;
  t.true(at(350).a > at(350).b, 'A busy: A holds more quota');
  t.true(at(750).b > at(750).a, 'B busy: B took quota over');
  for (const s of samples) t.true((s.a + s.b) * 4096 <= arbiter.budget);
  t.true(arbiter.events.some((e) => e.kind === 'yield' && e.client === 'cacheA'));
  // After unmount and the caches' flushes, both devices hold clean file systems.
  for (const side of sides) t.deepEqual(fsck(side.disk.image()), [], side.name);
});
