/**
 * Device errors (EIO) part-way through an operation or a commit (lib/fs/journal.ts fail()):
 * the call fails, later calls fail with EIO, and the device keeps the last commit — after a
 * remount, fsck is clean and everything synced is there.
 */
import test from 'ava';
import { Kernel, GreenkernelError, type Operation, type Routine } from '../../lib/index.ts';
import { FaultDisk, MemoryDisk } from '../../lib/block/index.ts';
import { FileSystem, ImageSession, fsck, mkfs } from '../../lib/fs/index.ts';

function* code(op: () => Operation<unknown>): Routine<string> {
  try {
    yield* op();
    return 'ok';
  } catch (error) {
    if (error instanceof GreenkernelError) return error.code;
    throw error;
  }
}

const synced = new Uint8Array(1500).fill(1);

for (let k = 0; k < 40; k += 3) {
  test(`a device error at request ${k} after the last sync: EIO, then EIO, and the synced state survives`, (t) => {
    const kernel = new Kernel();
    const inner = new MemoryDisk({ blockSize: 512, blockCount: 512 });
    const dev = new FaultDisk(inner);
    dev.attach(kernel);
    const got: string[] = [];
    kernel.spawn(function* () {
      yield* mkfs(dev, { inodes: 32 });
      const fs = yield* FileSystem.mount(dev, { syncIntervalMs: 0 });
      yield* fs.mkdir('/d');
      yield* fs.write(yield* fs.create('/d/a'), 0, synced);
      yield* fs.sync();
      dev.failRequest(dev.requests + k);
      let first = 'ok';
      for (let i = 0; i < 6 && first === 'ok'; i++) {
        first = yield* code(function* () {
          const h = yield* fs.create(`/d/b${i}`);
          yield* fs.write(h, 0, new Uint8Array(900).fill(2));
          yield* fs.rename(`/d/b${i}`, '/d/a');
          yield* fs.fsync(h);
        });
      }
      got.push(first, yield* code(() => fs.stat('/d')), yield* code(() => fs.sync()));
      yield* fs.unmount();
    });
    kernel.runSync();
    t.deepEqual(got, ['EIO', 'EIO', 'EIO']);
    // Remount what the device holds (a crash now would keep at least this much).
    const image = inner.stableImage();
    const k2 = new Kernel();
    let content: Uint8Array | null = null;
    k2.spawn(function* () {
      const fs = yield* FileSystem.mount(new ImageSession(image, 512), { syncIntervalMs: 0 });
      content = yield* fs.read(yield* fs.open('/d/a'), 0, 4096);
    });
    k2.runSync();
    t.deepEqual(fsck(image), []);
    // The synced version, or a renamed-over one whose commit completed before the error.
    t.true(
      content!.length === 1500 || (content!.length === 900 && content![0] === 2),
      `${content!.length} bytes`,
    );
  });
}
