import test from 'ava';
import { Kernel, type Routine } from '../../lib/index.ts';
import { FileSystem, ImageSession, mkfs, NAME_MAX, maxFileSize } from '../../lib/fs/index.ts';
import { errno } from './errno.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Runs `body` in a thread with a fresh file system on an in-memory image; returns its value. */
export function withFs<T>(
  body: (fs: FileSystem, dev: ImageSession) => Routine<T>,
  blocks = 1024,
): T {
  const k = new Kernel();
  const dev = new ImageSession(new Uint8Array(blocks * 512), 512, 'img');
  let out: T | undefined;
  k.spawn(function* main() {
    yield* mkfs(dev, { inodes: 64 });
    const fs = yield* FileSystem.mount(dev, { syncIntervalMs: 0 });
    out = yield* body(fs, dev);
    yield* fs.unmount();
  });
  k.runSync();
  return out as T;
}

test('mkdir, create, write, read, readdir, stat, rename, unlink, rmdir', (t) => {
  const seen = withFs(function* (fs) {
    yield* fs.mkdir('/d');
    const h = yield* fs.create('/d/a');
    yield* fs.write(h, 0, enc.encode('hello world'));
    const back = dec.decode(yield* fs.read(h, 0, 100));
    const list = yield* fs.readdir('/d');
    const st = yield* fs.stat('/d/a');
    yield* fs.rename('/d/a', '/b');
    const after = [yield* fs.readdir('/d'), yield* fs.readdir('/')];
    const h2 = yield* fs.open('/b');
    const back2 = dec.decode(yield* fs.read(h2, 6, 5));
    yield* fs.unlink('/b');
    yield* fs.rmdir('/d');
    return { back, list, st, after, back2, root: yield* fs.readdir('/') };
  });
  t.is(seen.back, 'hello world');
  t.deepEqual(seen.list, ['a']);
  t.like(seen.st, { type: 'file', size: 11, nlink: 1 });
  t.deepEqual(seen.after, [[], ['d', 'b']]);
  t.is(seen.back2, 'world');
  t.deepEqual(seen.root, []);
});

test('errors: ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, ENAMETOOLONG, EFBIG, EBADF, EINVAL', (t) => {
  const codes = withFs(function* (fs) {
    const out: string[] = [];
    out.push(yield* errno(() => fs.open('/nope')));
    yield* fs.mkdir('/d');
    out.push(yield* errno(() => fs.mkdir('/d')));
    const h = yield* fs.create('/f');
    out.push(yield* errno(() => fs.create('/f/x')));
    out.push(yield* errno(() => fs.open('/d')));
    yield* fs.mkdir('/d/e');
    out.push(yield* errno(() => fs.rmdir('/d')));
    out.push(yield* errno(() => fs.mkdir('/' + 'x'.repeat(NAME_MAX + 1))));
    out.push(yield* errno(() => fs.write(h, maxFileSize(512), new Uint8Array(1))));
    yield* fs.unlink('/f');
    out.push(yield* errno(() => fs.read(h, 0, 1)));
    out.push(yield* errno(() => fs.mkdir('relative')));
    out.push(yield* errno(() => fs.rename('/d', '/d/e/inside')));
    out.push(yield* errno(() => fs.unlink('/d')));
    out.push(yield* errno(() => fs.rmdir('/')));
    return out;
  });
  t.deepEqual(codes, [
    'ENOENT',
    'EEXIST',
    'ENOTDIR',
    'EISDIR',
    'ENOTEMPTY',
    'ENAMETOOLONG',
    'EFBIG',
    'EBADF',
    'EINVAL',
    'EINVAL',
    'EISDIR',
    'EBUSY',
  ]);
});

test('a file crossing the indirect block reads back; truncate shrinks and grows with zeros', (t) => {
  const ok = withFs(function* (fs) {
    const h = yield* fs.create('/big');
    const data = new Uint8Array(20 * 512 + 77).map((_, i) => (i * 7) & 0xff);
    const n = yield* fs.write(h, 100, data);
    const back = yield* fs.read(h, 100, data.length);
    yield* fs.truncate(h, 13 * 512 + 5);
    yield* fs.truncate(h, 16 * 512);
    const tail = yield* fs.read(h, 13 * 512, 3 * 512);
    return { n, same: back.every((b, i) => b === data[i]), tail };
  });
  t.is(ok.n, 20 * 512 + 77);
  t.true(ok.same);
  t.true(ok.tail.subarray(5 + 100).every((b) => b === 0));
});

test('mount after unmount sees the same tree (remount through the journal)', (t) => {
  const k = new Kernel();
  const dev = new ImageSession(new Uint8Array(1024 * 512), 512);
  let names: string[] = [];
  let text = '';
  k.spawn(function* main() {
    yield* mkfs(dev);
    let fs = yield* FileSystem.mount(dev);
    yield* fs.mkdir('/x');
    const h = yield* fs.create('/x/y');
    yield* fs.write(h, 0, enc.encode('persist'));
    yield* fs.unmount();
    fs = yield* FileSystem.mount(dev);
    names = yield* fs.readdir('/x');
    text = dec.decode(yield* fs.read(yield* fs.open('/x/y'), 0, 100));
    yield* fs.unmount();
  });
  k.runSync();
  t.deepEqual(names, ['y']);
  t.is(text, 'persist');
});
