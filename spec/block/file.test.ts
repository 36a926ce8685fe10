import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, Kernel, type ClockMode } from '../../lib/index.ts';
import {
  BlockRangeError,
  DeviceDetachedError,
  DeviceIOError,
  FileDisk,
} from '../../lib/block/index.ts';
import { expectFailure, settle, type Outcome } from '../helpers/util.ts';

const BS = 512;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gk-filedisk-'));
}

for (const clock of ['real', 'virtual'] as ClockMode[]) {
  test(`a file disk reads and writes its host file (clock '${clock}')`, async (t) => {
    const dir = tempDir();
    const path = join(dir, 'disk.img');
    try {
      const disk = await FileDisk.open(path, { blockSize: BS, blockCount: 8, create: true });
      t.is(statSync(path).size, 8 * BS, 'created at its full size');
      const k = new Kernel({ clock });
      disk.attach(k);
      const back = new Uint8Array(2 * BS);
      const stable: boolean[] = [];
      k.spawn(function* user() {
        stable.push((yield* disk.write(2, 2, new Uint8Array(2 * BS).fill(0xab))).stable);
        stable.push((yield* disk.write(5, 1, new Uint8Array(BS).fill(0xcd), { fua: true })).stable);
        yield* disk.flush();
        yield* disk.barrier();
        yield* disk.read(2, 2, back);
      });
      await k.run();
      await disk.close();
      t.deepEqual(stable, [false, true]);
      t.deepEqual(back, new Uint8Array(2 * BS).fill(0xab));
      const bytes = readFileSync(path);
      t.is(bytes[2 * BS], 0xab);
      t.is(bytes[4 * BS - 1], 0xab);
      t.is(bytes[5 * BS], 0xcd);
      t.is(bytes[0], 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('an existing file gives the block count; blocks past its end read as zeros', async (t) => {
  const dir = tempDir();
  const path = join(dir, 'short.img');
  try {
    writeFileSync(path, new Uint8Array(3 * BS).fill(7));
    const whole = await FileDisk.open(path, { blockSize: BS });
    t.is(whole.blockCount, 3);
    await whole.close();
    const disk = await FileDisk.open(path, { blockSize: BS, blockCount: 4 });
    const k = new Kernel();
    disk.attach(k);
    const buf = new Uint8Array(2 * BS).fill(1);
    const outcomes: Outcome<unknown>[] = [];
    k.spawn(function* user() {
      yield* disk.read(2, 2, buf);
      outcomes.push(yield* settle(() => disk.read(4, 1, new Uint8Array(BS))));
    });
    await k.run();
    await disk.close();
    t.deepEqual(buf, new Uint8Array([...new Uint8Array(BS).fill(7), ...new Uint8Array(BS)]));
    expectFailure(t, outcomes[0], BlockRangeError, 'ERANGE');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file without create is the host error; a closed disk is detached', async (t) => {
  const dir = tempDir();
  try {
    const error = await t.throwsAsync(FileDisk.open(join(dir, 'none.img'), { blockCount: 1 }));
    t.is((error as { code?: string }).code, 'ENOENT');
    await t.throwsAsync(FileDisk.open(join(dir, 'x.img'), { blockCount: 0, create: true }), {
      instanceOf: InvalidArgumentError,
    });
    const disk = await FileDisk.open(join(dir, 'y.img'), {
      blockSize: BS,
      blockCount: 1,
      create: true,
    });
    const k = new Kernel();
    disk.attach(k);
    await disk.close();
    await disk.close();
    const outcomes: Outcome<unknown>[] = [];
    k.spawn(function* user() {
      outcomes.push(yield* settle(() => disk.flush()));
    });
    await k.run();
    expectFailure(t, outcomes[0], DeviceDetachedError, 'ENODEV');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a host I/O error reaches the requester as DeviceIOError (EIO) with the host error as cause', async (t) => {
  const dir = tempDir();
  try {
    const disk = await FileDisk.open(join(dir, 'z.img'), {
      blockSize: BS,
      blockCount: 2,
      create: true,
    });
    // The handle closes behind the device's back: the next host call fails with EBADF.
    await (disk as unknown as { handle: { close(): Promise<void> } }).handle.close();
    const k = new Kernel();
    disk.attach(k);
    const outcomes: Outcome<unknown>[] = [];
    k.spawn(function* user() {
      outcomes.push(yield* settle(() => disk.read(0, 1, new Uint8Array(BS))));
      outcomes.push(yield* settle(() => disk.flush()));
    });
    await k.run();
    for (const o of outcomes) {
      const e = expectFailure(t, o, DeviceIOError, 'EIO');
      t.is((e.cause as { code?: string }).code, 'EBADF');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
