/**
 * The file-system verbs of the command line (bin/fsck.ts, bin/crashcheck.ts), each run in a
 * child process as a shell would.
 */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '../../lib/index.ts';
import { FileSystem, ImageSession, inodeLocation, mkfs } from '../../lib/fs/index.ts';
import { runProgram } from '../helpers/program.ts';

const cli = (...args: string[]) => runProgram('bin/cli.ts', args);

function image(): { bytes: Uint8Array; inodeStart: number } {
  const dev = new ImageSession(new Uint8Array(256 * 512), 512);
  const k = new Kernel();
  let inodeStart = 0;
  k.spawn(function* () {
    const sb = yield* mkfs(dev, { inodes: 32 });
    inodeStart = inodeLocation(sb, 2).lba;
    const fs = yield* FileSystem.mount(dev, { syncIntervalMs: 0 });
    yield* fs.write(yield* fs.create('/hello'), 0, new TextEncoder().encode('hi'));
    yield* fs.unmount();
  });
  k.runSync();
  return { bytes: dev.image, inodeStart };
}

test('greenkernel fsck IMAGE: clean image exit 0; a damaged one lists its problems, exit 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gkfs-'));
  try {
    const { bytes, inodeStart } = image();
    const good = join(dir, 'good.img');
    writeFileSync(good, bytes);
    const ok = await cli('fsck', good);
    t.is(ok.code, 0, ok.stderr);
    t.regex(ok.stdout, /clean/);
    const bad = bytes.slice();
    bad[inodeStart * 512 + 2 * 64 + 2] = 3; // inode 2 (/hello): link count 3
    writeFileSync(join(dir, 'bad.img'), bad);
    const ko = await cli('fsck', join(dir, 'bad.img'), '--json');
    t.is(ko.code, 1);
    t.deepEqual(JSON.parse(ko.stdout).problems, ['inode 2: link count 3, named by 1 entries']);
    t.is((await cli('fsck')).code, 2);
    t.is((await cli('fsck', good, '--bogus')).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('greenkernel crashcheck: a summary, exit 0; the broken journal fails with replayable descriptions', async (t) => {
  const ok = await cli('crashcheck', 'rename-over', '--subsets', '2');
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /crash states, \d+ distinct, 0 failures/);
  const ko = await cli('crashcheck', 'write-fsync', '--journal', 'no-barriers', '--subsets', '2');
  t.is(ko.code, 1);
  const replay = /replay: npx greenkernel (crashcheck .*)/.exec(ko.stdout);
  t.truthy(replay);
  const again = await cli(...replay![1]!.split(' '));
  t.is(again.code, 1);
  t.regex(again.stdout, /fsck: |synced as/);
  t.is((await cli('crashcheck', 'nope')).code, 2);
  t.is((await cli('crashcheck', '--journal', 'sloppy')).code, 2);
  t.regex((await cli('crashcheck', '--list')).stdout, /^create$/m);
});
