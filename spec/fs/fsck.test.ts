import test from 'ava';
import fc from 'fast-check';
import { Kernel } from '../../lib/index.ts';
import {
  FileSystem,
  ImageSession,
  fsck,
  inodeLocation,
  mkfs,
  decodeSuperblock,
  type Superblock,
} from '../../lib/fs/index.ts';
import { errno } from './errno.ts';

test('a fresh file system is clean; damage is found', (t) => {
  const k = new Kernel();
  const dev = new ImageSession(new Uint8Array(512 * 512), 512);
  k.spawn(function* () {
    yield* mkfs(dev, { inodes: 32 });
    const fs = yield* FileSystem.mount(dev, { syncIntervalMs: 0 });
    yield* fs.mkdir('/d');
    const h = yield* fs.create('/d/f');
    yield* fs.write(h, 0, new Uint8Array(3000).fill(7));
    yield* fs.unmount();
  });
  k.runSync();
  t.deepEqual(fsck(dev.image), []);
  const sb = decodeSuperblock(dev.image.subarray(0, 512)) as Superblock;
  // Clear the block bitmap: every data block in use is now "marked free".
  const broken = dev.image.slice();
  broken.fill(0, sb.blockBitmapStart * 512, (sb.blockBitmapStart + 1) * 512);
  t.true(fsck(broken).some((p) => p.includes('referenced by inode 2 but marked free')));
  // Bump the link count of inode 3 (/d/f).
  const broken2 = dev.image.slice();
  const { lba, offset } = inodeLocation(sb, 3);
  broken2[lba * 512 + offset + 2] = 5;
  t.deepEqual(fsck(broken2), ['inode 3: link count 5, named by 1 entries']);
  t.deepEqual(fsck(new Uint8Array(4096)), ['superblock: bad magic 0x0 (not a gkfs image)']);
});

type Op =
  | { op: 'mkdir' | 'rmdir' | 'unlink' | 'create'; a: number }
  | { op: 'write'; a: number; off: number; len: number; byte: number }
  | { op: 'truncate'; a: number; size: number }
  | { op: 'rename'; a: number; b: number };

const NAMES = ['/a', '/b', '/c', '/a/x', '/a/y', '/b/z'];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constantFrom('mkdir', 'rmdir', 'unlink', 'create'),
    a: fc.nat(5),
  }) as fc.Arbitrary<Op>,
  fc.record({
    op: fc.constant('write'),
    a: fc.nat(5),
    off: fc.nat(9000),
    len: fc.nat(7000),
    byte: fc.nat(255),
  }) as fc.Arbitrary<Op>,
  fc.record({ op: fc.constant('truncate'), a: fc.nat(5), size: fc.nat(12000) }) as fc.Arbitrary<Op>,
  fc.record({ op: fc.constant('rename'), a: fc.nat(5), b: fc.nat(5) }) as fc.Arbitrary<Op>,
);

/** The model: path -> file contents or 'dir'. */
type Model = Map<string, Uint8Array | 'dir'>;

function parentOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/')) || '/';
}

test('randomized workloads: fsck clean after every operation, contents equal a model', (t) => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 30 }), (ops) => {
      const k = new Kernel();
      const dev = new ImageSession(new Uint8Array(400 * 512), 512);
      const failures: string[] = [];
      k.spawn(function* () {
        yield* mkfs(dev, { inodes: 16 });
        const fs = yield* FileSystem.mount(dev, { syncIntervalMs: 0 });
        const model: Model = new Map([['/', 'dir']]);
        for (const o of ops) {
          const p = NAMES[o.a]!;
          let got: string;
          switch (o.op) {
            case 'mkdir':
              got = yield* errno(() => fs.mkdir(p));
              if (got === 'ok') model.set(p, 'dir');
              break;
            case 'create':
              got = yield* errno(() => fs.create(p));
              if (got === 'ok') model.set(p, new Uint8Array(0));
              break;
            case 'rmdir':
              got = yield* errno(() => fs.rmdir(p));
              if (got === 'ok') model.delete(p);
              break;
            case 'unlink':
              got = yield* errno(() => fs.unlink(p));
              if (got === 'ok') model.delete(p);
              break;
            case 'write': {
              const data = new Uint8Array(o.len).fill(o.byte);
              got = yield* errno(function* () {
                yield* fs.write(yield* fs.open(p), o.off, data);
              });
              const old = model.get(p);
              if (got === 'ok' && old instanceof Uint8Array) {
                const next = new Uint8Array(Math.max(old.length, o.off + o.len));
                next.set(old);
                next.set(data, o.off);
                model.set(p, next);
              }
              break;
            }
            case 'truncate': {
              got = yield* errno(function* () {
                yield* fs.truncate(yield* fs.open(p), o.size);
              });
              const old = model.get(p);
              if (got === 'ok' && old instanceof Uint8Array) {
                const next = new Uint8Array(o.size);
                next.set(old.subarray(0, o.size));
                model.set(p, next);
              }
              break;
            }
            case 'rename': {
              const q = NAMES[o.b]!;
              got = yield* errno(() => fs.rename(p, q));
              if (got === 'ok' && p !== q) {
                const moved = [...model].filter(([k2]) => k2 === p || k2.startsWith(p + '/'));
                for (const [k2] of [...model])
                  if (k2 === q || k2.startsWith(q + '/')) model.delete(k2);
                for (const [k2] of moved) model.delete(k2);
                for (const [k2, v] of moved) model.set(q + k2.slice(p.length), v);
              }
              break;
            }
          }
          yield* fs.sync();
          const problems = fsck(dev.image);
          if (problems.length > 0)
            failures.push(`after ${JSON.stringify(o)} (${got}): ${problems.join('; ')}`);
          // Contents: every model entry is there, every directory lists exactly the model's children.
          for (const [path, v] of model) {
            if (v === 'dir') {
              const names = (yield* fs.readdir(path)).sort();
              const want = [...model.keys()]
                .filter((k2) => k2 !== '/' && parentOf(k2) === path)
                .map((k2) => k2.slice(k2.lastIndexOf('/') + 1))
                .sort();
              if (JSON.stringify(names) !== JSON.stringify(want))
                failures.push(`after ${JSON.stringify(o)}: ${path} lists ${names}, model ${want}`);
            } else {
              const h = yield* fs.open(path);
              const back = yield* fs.read(h, 0, 1 << 20);
              if (back.length !== v.length || back.some((b2, i) => b2 !== v[i]))
                failures.push(`after ${JSON.stringify(o)}: ${path} differs from the model`);
            }
          }
          if (failures.length > 0) break;
        }
        yield* fs.unmount();
      });
      k.runSync();
      t.deepEqual(failures, []);
      return failures.length === 0;
    }),
    { numRuns: 100, seed: 11 },
  );
});
