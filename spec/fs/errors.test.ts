/**
 * Error paths of the file-system calls (lib/fs/fs.ts, namespace.ts, mkfs.ts): each refused
 * call names its errno code, and the file system stays clean (fsck) and unchanged.
 */
import test from 'ava';
import { Kernel, sleep, type Operation } from '../../lib/index.ts';
import { MemoryDisk } from '../../lib/block/index.ts';
import {
  FileSystem,
  ImageSession,
  PATH_MAX,
  fsck,
  mkfs,
  type FileHandle,
} from '../../lib/fs/index.ts';
import { errno } from './errno.ts';

test('every refused call has its code; nothing changed, fsck clean', (t) => {
  const k = new Kernel();
  const dev = new ImageSession(new Uint8Array(512 * 512), 512);
  const got: Record<string, string> = {};
  let before: Uint8Array | null = null;
  k.spawn(function* () {
    yield* mkfs(dev, { inodes: 32 });
    const fs = yield* FileSystem.mount(dev, { syncIntervalMs: 0 });
    yield* fs.mkdir('/d');
    yield* fs.mkdir('/d/sub');
    const h = yield* fs.create('/f');
    yield* fs.write(h, 0, new Uint8Array(100));
    yield* fs.sync();
    before = dev.image.slice();
    const cases: Record<string, () => Operation<unknown>> = {
      'open missing': () => fs.open('/nope'),
      'open through a file': () => fs.open('/f/x'),
      'open a directory': () => fs.open('/d'),
      'create existing': () => fs.create('/f'),
      'create in missing dir': () => fs.create('/nope/x'),
      'mkdir existing': () => fs.mkdir('/d'),
      'mkdir over file': () => fs.mkdir('/f'),
      'mkdir "."': () => fs.mkdir('/d/.'),
      'rmdir a file': () => fs.rmdir('/f'),
      'rmdir non-empty': () => fs.rmdir('/d'),
      'rmdir root': () => fs.rmdir('/'),
      'rmdir missing': () => fs.rmdir('/nope'),
      'unlink a directory': () => fs.unlink('/d'),
      'unlink missing': () => fs.unlink('/nope'),
      'unlink ".."': () => fs.unlink('/d/..'),
      'rename missing': () => fs.rename('/nope', '/x'),
      'rename dir over file': () => fs.rename('/d/sub', '/f'),
      'rename file over dir': () => fs.rename('/f', '/d/sub'),
      'rename dir into itself': () => fs.rename('/d', '/d/sub/x'),
      'rename over non-empty dir': () => fs.rename('/d/sub', '/d'),
      'rename to missing dir': () => fs.rename('/f', '/nope/f'),
      'readdir a file': () => fs.readdir('/f'),
      'stat missing': () => fs.stat('/d/nope'),
      'relative path': () => fs.stat('d'),
      'path too long': () => fs.stat('/' + 'a/'.repeat(PATH_MAX)),
      'name too long': () => fs.create('/' + 'n'.repeat(28)),
      'negative offset': () => fs.read(h, -1, 1),
      'fractional length': () => fs.read(h, 0, 1.5),
      'write non-bytes': () => fs.write(h, 0, 'text' as unknown as Uint8Array),
      'write past the largest file': () => fs.write(h, 71680, new Uint8Array(1)),
      'truncate past the largest file': () => fs.truncate(h, 71681),
      'a forged handle': () => fs.read({ inum: 999, gen: 1, path: '/x' } as FileHandle, 0, 1),
      'a handle of another generation': () => fs.read({ ...h, gen: h.gen + 1 }, 0, 1),
    };
    for (const [name, op] of Object.entries(cases)) got[name] = yield* errno(op);
    yield* fs.sync();
    yield* fs.unmount();
    got['after unmount'] = yield* errno(() => fs.stat('/'));
  });
  k.runSync();
  t.deepEqual(got, {
    'open missing': 'ENOENT',
    'open through a file': 'ENOTDIR',
    'open a directory': 'EISDIR',
    'create existing': 'EEXIST',
    'create in missing dir': 'ENOENT',
    'mkdir existing': 'EEXIST',
    'mkdir over file': 'EEXIST',
    'mkdir "."': 'EINVAL',
    'rmdir a file': 'ENOTDIR',
    'rmdir non-empty': 'ENOTEMPTY',
    'rmdir root': 'EBUSY',
    'rmdir missing': 'ENOENT',
    'unlink a directory': 'EISDIR',
    'unlink missing': 'ENOENT',
    'unlink ".."': 'EINVAL',
    'rename missing': 'ENOENT',
    'rename dir over file': 'ENOTDIR',
    'rename file over dir': 'EISDIR',
    'rename dir into itself': 'EINVAL',
    'rename over non-empty dir': 'ENOTEMPTY',
    'rename to missing dir': 'ENOENT',
    'readdir a file': 'ENOTDIR',
    'stat missing': 'ENOENT',
    'relative path': 'EINVAL',
    'path too long': 'ENAMETOOLONG',
    'name too long': 'ENAMETOOLONG',
    'negative offset': 'EINVAL',
    'fractional length': 'EINVAL',
    'write non-bytes': 'EINVAL',
    'write past the largest file': 'EFBIG',
    'truncate past the largest file': 'EFBIG',
    'a forged handle': 'EBADF',
    'a handle of another generation': 'EBADF',
    'after unmount': 'EINVAL',
  });
  t.deepEqual(fsck(dev.image), []);
  // The refused calls wrote nothing: the image is as it was before them.
  t.deepEqual(dev.image, before);
});

test('mount refuses what is not gkfs (EUCLEAN); mkfs refuses a device too small (EINVAL) and writes nothing', (t) => {
  const k = new Kernel();
  const blank = new ImageSession(new Uint8Array(64 * 512), 512);
  const tiny = new ImageSession(new Uint8Array(40 * 512).fill(9), 512);
  const got: string[] = [];
  k.spawn(function* () {
    got.push(yield* errno(() => FileSystem.mount(blank)));
    got.push(yield* errno(() => mkfs(tiny)));
    got.push(yield* errno(() => mkfs(blank, { inodes: 1 })));
    got.push(yield* errno(() => FileSystem.mount(blank, { syncIntervalMs: -1 })));
  });
  k.runSync();
  t.deepEqual(got, ['EUCLEAN', 'EINVAL', 'EINVAL', 'EINVAL']);
  t.true(tiny.image.every((b) => b === 9));
  t.true(blank.image.every((b) => b === 0));
});

test('the syncer commits in virtual time: after the interval, the data is stable without fsync', (t) => {
  const k = new Kernel();
  const disk = new MemoryDisk({ blockSize: 512, blockCount: 512, latency: { write: 1 } });
  disk.attach(k);
  let stable: Uint8Array | null = null;
  let beforeInterval: Uint8Array | null = null;
  k.spawn(function* () {
    yield* mkfs(disk, { inodes: 32 });
    const fs = yield* FileSystem.mount(disk, { syncIntervalMs: 100 });
    const h = yield* fs.create('/s');
    yield* fs.write(h, 0, new TextEncoder().encode('synced by the syncer'));
    beforeInterval = disk.stableImage();
    yield* sleep(300);
    stable = disk.stableImage();
    yield* fs.unmount();
  });
  k.runSync();
  const read = (image: Uint8Array) => {
    const k2 = new Kernel();
    let names: string[] = [];
    let text = '';
    k2.spawn(function* () {
      const fs = yield* FileSystem.mount(new ImageSession(image, 512), { syncIntervalMs: 0 });
      names = yield* fs.readdir('/');
      if (names.includes('s'))
        text = new TextDecoder().decode(yield* fs.read(yield* fs.open('/s'), 0, 100));
    });
    k2.runSync();
    return { names, text, problems: fsck(image) };
  };
  t.deepEqual(read(beforeInterval!.slice()), { names: [], text: '', problems: [] });
  t.deepEqual(read(stable!.slice()), { names: ['s'], text: 'synced by the syncer', problems: [] });
});
