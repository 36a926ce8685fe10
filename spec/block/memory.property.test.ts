/**
 * MemoryDisk against a model, over random request sequences: a read returns the last write;
 * what is stable follows FLUSH/FUA and epochs; after crash() the image is one the epoch rule
 * allows (every stable write, and a set of unstable ones closed under "earlier epoch first").
 */
import test from 'ava';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { Kernel } from '../../lib/index.ts';
import { MemoryDisk } from '../../lib/block/index.ts';

const BS = 512;
const BLOCKS = 8;

type Command =
  | { t: 'write'; lba: number; count: number; fua: boolean }
  | { t: 'read'; lba: number; count: number }
  | { t: 'barrier' }
  | { t: 'flush' };

const range = fc.integer({ min: 0, max: BLOCKS - 1 }).chain((lba) =>
  fc.record({
    lba: fc.constant(lba),
    count: fc.integer({ min: 1, max: Math.min(3, BLOCKS - lba) }),
  }),
);

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(range, fc.boolean())
      .map(([r, fua]) => ({ t: 'write' as const, ...r, fua })),
  },
  { weight: 2, arbitrary: range.map((r) => ({ t: 'read' as const, ...r })) },
  { weight: 1, arbitrary: fc.constant({ t: 'barrier' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'flush' as const }) },
);

interface ModelWrite {
  n: number;
  epoch: number;
  lba: number;
  count: number;
  byte: number;
  stable: boolean;
}

function apply(writes: readonly ModelWrite[], keep: (w: ModelWrite) => boolean): number[] {
  const image = new Array<number>(BLOCKS).fill(0);
  for (const w of writes)
    if (keep(w)) for (let b = w.lba; b < w.lba + w.count; b++) image[b] = w.byte;
  return image;
}

function blocks(image: Uint8Array): number[] {
  return Array.from({ length: BLOCKS }, (_, b) => image[b * BS]!);
}

test('memory disk vs model: reads, stability, and crash states', (t) => {
  fc.assert(
    fc.property(
      fc.array(command, { maxLength: 40 }),
      fc.integer({ min: 0, max: 1000 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 2 }),
      (commands, seed, queueDepth, latency) => {
        const k = new Kernel({ seed });
        const disk = new MemoryDisk({
          name: 'dev0',
          blockSize: BS,
          blockCount: BLOCKS,
          queueDepth,
          latency: { read: latency, write: latency, flush: latency },
        });
        disk.attach(k);
        const writes: ModelWrite[] = [];
        let epoch = 0;
        const problems: string[] = [];
        k.spawn(function* user() {
          for (const c of commands) {
            if (c.t === 'write') {
              const byte = (writes.length % 255) + 1;
              const r = yield* disk.write(c.lba, c.count, new Uint8Array(c.count * BS).fill(byte), {
                fua: c.fua,
              });
              if (c.fua) for (const w of writes) if (w.epoch < epoch) w.stable = true;
              writes.push({
                n: writes.length,
                epoch,
                lba: c.lba,
                count: c.count,
                byte,
                stable: c.fua,
              });
              if (r.epoch !== epoch || r.stable !== c.fua)
                problems.push(`write result ${JSON.stringify(r)}`);
            } else if (c.t === 'read') {
              const buf = new Uint8Array(c.count * BS);
              yield* disk.read(c.lba, c.count, buf);
              const want = apply(writes, () => true).slice(c.lba, c.lba + c.count);
              const got = Array.from({ length: c.count }, (_, i) => buf[i * BS]!);
              if (got.join() !== want.join()) problems.push(`read ${c.lba}: ${got} != ${want}`);
            } else if (c.t === 'barrier') {
              const next = yield* disk.barrier();
              epoch++;
              if (next !== epoch) problems.push(`barrier returned ${next}, not ${epoch}`);
            } else {
              yield* disk.flush();
              for (const w of writes) w.stable = true;
            }
          }
        });
        k.runSync();
        assert.deepEqual(problems, []);
        assert.deepEqual(
          blocks(disk.stableImage()),
          apply(writes, (w) => w.stable),
          'stable image',
        );
        const unstable = writes.filter((w) => !w.stable).map((w) => w.n);
        assert.deepEqual(
          disk.unstableWrites.map((w) => w.seq),
          unstable,
          'the same writes are unstable',
        );
        disk.detach();
        const survivors = new Set(disk.crash());
        const highest = Math.max(
          -1,
          ...writes.filter((w) => survivors.has(w.n)).map((w) => w.epoch),
        );
        for (const w of writes) {
          if (survivors.has(w.n) && w.stable)
            assert.fail(`write ${w.n} was stable, not a survivor`);
          if (!w.stable && !survivors.has(w.n) && w.epoch < highest)
            assert.fail(`write ${w.n} of epoch ${w.epoch} lost, one of epoch ${highest} kept`);
        }
        assert.deepEqual(
          blocks(disk.image()),
          apply(writes, (w) => w.stable || survivors.has(w.n)),
          'the crash image',
        );
        return true;
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});
