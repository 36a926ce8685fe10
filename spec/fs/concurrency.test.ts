import test from 'ava';
import { Kernel } from '../../lib/index.ts';
import { MemoryDisk } from '../../lib/block/index.ts';
import { FileSystem, ImageSession, fsck, mkfs } from '../../lib/fs/index.ts';
import { errno } from './errno.ts';

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`concurrent user threads on the same and on different files, lock order 'fail' (seed ${seed})`, async (t) => {
    const k = new Kernel({
      seed,
      policy: 'random',
      detection: { cycles: 'fail', lockOrder: 'fail' },
    });
    // A memory disk served by its own irq thread, each request taking virtual time, so user
    // threads block on I/O deep in their calls and interleave there.
    const dev = new MemoryDisk({
      blockSize: 512,
      blockCount: 2048,
      latency: { read: 1, write: 1, flush: 2 },
    });
    dev.attach(k);
    let fs!: FileSystem;
    const errors: string[] = [];
    k.spawn(function* setup() {
      yield* mkfs(dev, { inodes: 128 });
      fs = yield* FileSystem.mount(dev, { syncIntervalMs: 5 });
      yield* fs.mkdir('/shared');
      yield* fs.mkdir('/other');
      yield* fs.mkdir('/spare');
      yield* fs.mkdir('/spare/sub');
      const workers = [];
      for (let w = 0; w < 6; w++) {
        workers.push(
          k.spawn(
            function* worker() {
              for (let i = 0; i < 6; i++) {
                const mine = `/shared/w${w}-${i}`;
                const h = yield* fs.open(mine, { create: true });
                yield* fs.write(h, i * 700, new Uint8Array(900).fill(w + 1));
                const shared = yield* fs.open('/shared/common', { create: true });
                const r = yield* errno(() =>
                  fs.write(shared, w * 100, new Uint8Array(100).fill(w)),
                );
                if (r !== 'ok' && r !== 'EBADF') errors.push(`write common: ${r}`);
                if (i % 2 === 0) yield* fs.fsync(h);
                const r2 = yield* errno(() => fs.rename(mine, `/other/w${w}-${i}`));
                if (r2 !== 'ok') errors.push(`rename: ${r2}`);
                if (i % 3 === 1) yield* fs.unlink(`/other/w${w}-${i}`);
                if (w === 0 && i === 3) {
                  const r3 = yield* errno(() => fs.unlink('/shared/common'));
                  if (r3 !== 'ok' && r3 !== 'ENOENT') errors.push(`unlink common: ${r3}`);
                }
                const r4 = yield* errno(() => fs.rename('/spare', '/shared/moved'));
                const r5 = yield* errno(() => fs.rename('/shared/moved', '/spare'));
                for (const r of [r4, r5])
                  if (!['ok', 'ENOENT'].includes(r)) errors.push(`dir rename: ${r}`);
              }
            },
            { name: `worker${w}` },
          ),
        );
      }
      for (const w of workers) yield* w.join();
      yield* fs.unmount();
    });
    await k.run();
    t.deepEqual(errors, []);
    t.deepEqual(fsck(dev.image()), []);
    t.deepEqual(k.warnings, []);
  });
}

test('ENOSPC and running out of inodes leave fsck clean, leak nothing, and deleting lets the space be reused', (t) => {
  const k = new Kernel();
  const img = new ImageSession(new Uint8Array(256 * 512), 512);
  const seen: unknown[] = [];
  k.spawn(function* () {
    yield* mkfs(img, { inodes: 16 });
    const fs = yield* FileSystem.mount(img, { syncIntervalMs: 0 });
    // Inodes: 16 minus inode 0 and the root leave 14.
    let made = 0;
    let last = 'ok';
    while (last === 'ok' && made < 100) {
      last = yield* errno(() => fs.create(`/f${made}`));
      if (last === 'ok') made++;
    }
    seen.push(made, last);
    yield* fs.sync();
    seen.push(fsck(img.image));
    for (let i = 0; i < made; i++) yield* fs.unlink(`/f${i}`);
    // Blocks: files of 60000 bytes until the device is full.
    const fill = function* (byte: number) {
      let total = 0;
      for (let f = 0; f < 10; f++) {
        const h = yield* fs.create(`/big${f}`);
        const r = yield* errno(() => fs.write(h, 0, new Uint8Array(60000).fill(byte)));
        if (r !== 'ok') return { total, files: f + 1, last: r };
        const st = yield* fs.stat(`/big${f}`);
        total += st.size;
        if (st.size < 60000) return { total, files: f + 1, last: 'short' };
      }
      return { total, files: 10, last: 'never full' };
    };
    const first = yield* fill(1);
    seen.push(first.last);
    seen.push(yield* errno(() => fs.mkdir('/nospace')));
    yield* fs.sync();
    seen.push(fsck(img.image));
    for (let f = 0; f < first.files; f++) yield* fs.unlink(`/big${f}`);
    const second = yield* fill(2);
    seen.push(second.total === first.total);
    yield* fs.unmount();
    seen.push(fsck(img.image));
  });
  k.runSync();
  t.deepEqual(seen, [14, 'ENOSPC', [], 'short', 'ENOSPC', [], true, []]);
});

test('determinism: the same seed gives the same schedule trace and the same image', (t) => {
  const once = () => {
    const k = new Kernel({ seed: 9, policy: 'random', trace: true });
    const dev = new MemoryDisk({
      blockSize: 512,
      blockCount: 1024,
      latency: { read: 1, write: 1 },
    });
    dev.attach(k);
    k.spawn(function* () {
      yield* mkfs(dev, { inodes: 32 });
      const fs = yield* FileSystem.mount(dev, { syncIntervalMs: 3 });
      const ws = [0, 1, 2].map((w) =>
        k.spawn(function* () {
          for (let i = 0; i < 4; i++) {
            const h = yield* fs.open(`/f${(w + i) % 4}`, { create: true });
            yield* fs.write(h, w * 300, new Uint8Array(500).fill(w));
          }
        }),
      );
      for (const w of ws) yield* w.join();
      yield* fs.unmount();
    });
    k.runSync();
    return { trace: k.trace, image: dev.image() };
  };
  const a = once();
  const b = once();
  t.true(a.trace.length > 1000);
  t.is(a.trace, b.trace);
  t.deepEqual(a.image, b.image);
});
