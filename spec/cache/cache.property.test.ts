/**
 * The block cache against a model, over random sequences of reads, writes (some FUA, some of
 * several blocks), barriers, flushes, yield requests (another component asking the arbiter for
 * memory), grants and denials (the cache growing under a budget others hold), and injected
 * device write errors.
 */
import test from 'ava';
import fc from 'fast-check';
import { GreenkernelError, Kernel, type Routine } from '../../lib/index.ts';
import { BlockCache } from '../../lib/cache/cache.ts';
import { MemoryArbiter } from '../../lib/mem/arbiter.ts';
import { ModelDisk, block, idAt } from './model-disk.ts';

const BS = 512;
const BLOCKS = 24;

type Op =
  | { op: 'read'; lba: number }
  | { op: 'write'; lba: number; count: number; fua: boolean }
  | { op: 'barrier' }
  | { op: 'flush' }
  | { op: 'hog'; blocks: number }
  | { op: 'unhog' }
  | { op: 'fault'; writes: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('read' as const), lba: fc.nat(BLOCKS - 1) }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('write' as const),
      lba: fc.nat(BLOCKS - 3),
      count: fc.integer({ min: 1, max: 3 }),
      fua: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('barrier' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('flush' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('hog' as const),
      blocks: fc.integer({ min: 1, max: 10 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unhog' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('fault' as const),
      writes: fc.integer({ min: 1, max: 2 }),
    }),
  },
);

async function check(ops: Op[], policy: 'lru' | 'sieve', writeThrough: boolean): Promise<void> {
  const k = new Kernel({ name: 'prop', detection: { cycles: 'fail', lockOrder: 'fail' } });
  const disk = new ModelDisk(BLOCKS, BS);
  const arbiter = new MemoryArbiter({ budget: 16 * BS, backoffMs: 5 });
  const cache = new BlockCache(disk, {
    minBlocks: 2,
    maxBlocks: 12,
    growBlocks: 2,
    arbiter,
    policy,
    writeThrough,
  });
  const hog = arbiter.register({ name: 'hog', minimum: 0 });
  /** The ids each block may hold (more than one after a write that failed). */
  const possible: Set<number>[] = Array.from({ length: BLOCKS }, () => new Set([0]));
  const epochOf = new Map<number, number>();
  /** Per block, the writes that returned, in order: [id, epoch]. */
  const history: [number, number][][] = Array.from({ length: BLOCKS }, () => []);
  let nextId = 16;
  let failedAtLastFlush = 0;
  const fail = (why: string): never => {
    throw new Error(why);
  };
  const invariants = () => {
    cache.verify();
    if (arbiter.handedOut > arbiter.budget) fail('quota over budget');
  };
  const stableMatches = (image: Uint8Array, what: string) => {
    for (let lba = 0; lba < BLOCKS; lba++) {
      const id = disk.idOf(image, lba);
      if (!possible[lba]!.has(id))
        fail(`${what}: block ${lba} holds ${id}, expected one of ${[...possible[lba]!]}`);
      possible[lba] = new Set([id]);
    }
  };

  k.spawn(
    function* client(): Routine<void> {
      for (const o of ops) {
        const failedBefore = disk.failedWrites;
        let error: unknown = null;
        try {
          switch (o.op) {
            case 'read': {
              const buf = new Uint8Array(BS);
              yield* cache.read(o.lba, 1, buf);
              const id = idAt(buf, 0);
              if (!possible[o.lba]!.has(id))
                fail(`read ${o.lba}: ${id}, expected one of ${[...possible[o.lba]!]}`);
              possible[o.lba] = new Set([id]);
              break;
            }
            case 'write': {
              const id = nextId;
              nextId += 16;
              for (let i = 0; i < o.count; i++) {
                epochOf.set(id + i, cache.epoch);
                possible[o.lba + i]!.add(id + i); // either, until it succeeds
              }
              const r = yield* cache.write(o.lba, o.count, block(id, BS, o.count), { fua: o.fua });
              for (let i = 0; i < o.count; i++) {
                possible[o.lba + i] = new Set([id + i]);
                history[o.lba + i]!.push([id + i, r.epoch]);
              }
              if (r.stable !== o.fua) fail('stable is FUA');
              if (o.fua || writeThrough)
                for (let i = 0; i < o.count; i++)
                  if (disk.idOf(o.fua ? disk.stable : disk.current, o.lba + i) !== id + i)
                    fail('a FUA or write-through write is on the device when it returns');
              break;
            }
            case 'barrier':
              yield* cache.barrier();
              break;
            case 'flush': {
              const failedSince = disk.failedWrites > failedAtLastFlush;
              failedAtLastFlush = disk.failedWrites;
              let threw = false;
              try {
                yield* cache.flush();
              } catch (e) {
                threw = true;
                if ((e as GreenkernelError).code !== 'EIO') throw e;
              }
              if (failedSince && !threw)
                fail('a flush succeeded after an unreported write failure');
              if (!threw) stableMatches(disk.stable, 'after an acknowledged flush');
              if (threw && !failedSince && disk.failedWrites === failedAtLastFlush)
                fail('a flush failed with no write failure');
              failedAtLastFlush = disk.failedWrites;
              break;
            }
            case 'hog': {
              const faultFree = disk.failNextWrites === 0;
              const needed = o.blocks * BS - arbiter.free;
              const canYield = (cache.blocks - cache.minBlocks) * BS >= needed;
              const backoff = hog.inBackoff(k.now());
              const granted = yield* hog.request(o.blocks * BS);
              if (faultFree && canYield && !backoff && !granted)
                fail('a yield request was not honoured up to clean + writable');
              break;
            }
            case 'unhog':
              if (hog.surplus > 0) hog.release(hog.surplus);
              break;
            case 'fault':
              disk.failNextWrites = o.writes;
              break;
          }
        } catch (e) {
          if (!(e instanceof GreenkernelError) || e.code !== 'EIO') throw e;
          error = e;
        }
        if (o.op !== 'flush' && o.op !== 'hog') {
          const failed = disk.failedWrites > failedBefore;
          if (failed !== (error !== null))
            fail(
              `${o.op}: a device write failed during it: ${failed}, it threw: ${error !== null}`,
            );
        }
        invariants();
      }
      disk.failNextWrites = 0;
      for (let i = 0; i < 2; i++) {
        try {
          yield* cache.flush();
          break;
        } catch {
          // the latched error, reported once
        }
      }
      if (cache.dirtyBlocks !== 0) fail('dirty blocks after a successful flush');
      stableMatches(disk.stable, 'final flush');
    },
    { name: 'client' },
  );
  await k.run();
  // The device's write order respects the client's epochs, separated by device barriers.
  let last: { cepoch: number; depoch: number } | null = null;
  for (const r of disk.log) {
    if (r.op !== 'write' || r.failed) continue;
    for (const id of r.ids) {
      const cepoch = epochOf.get(id)!;
      if (last !== null) {
        if (cepoch < last.cepoch) fail(`write of epoch ${cepoch} after one of ${last.cepoch}`);
        if (cepoch > last.cepoch && r.epoch <= last.depoch)
          fail('no device barrier between epochs');
      }
      last = { cepoch, depoch: r.epoch };
    }
  }
  // A block's last version of an epoch that a later epoch overwrote still reached the device
  // (a barrier forbids absorbing it: a crash between the epochs must find it).
  const written = new Set(
    disk.log.filter((r) => r.op === 'write' && !r.failed).flatMap((r) => r.ids),
  );
  for (const writes of history)
    for (let i = 0; i + 1 < writes.length; i++)
      if (writes[i + 1]![1] > writes[i]![1] && !written.has(writes[i]![0]))
        fail(`write ${writes[i]![0]} of epoch ${writes[i]![1]} was absorbed by a later epoch`);
  disk.crash();
  stableMatches(disk.current, 'after crash()');
}

test('property: the cache agrees with the model under random operations, yields and faults', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(opArb, { maxLength: 60 }),
      fc.constantFrom('lru' as const, 'sieve' as const),
      fc.boolean(),
      async (ops, policy, writeThrough) => {
        await check(ops, policy, writeThrough);
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});
