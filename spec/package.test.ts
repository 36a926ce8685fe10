/**
 * Tests of what the published package holds (package.json `files`, checked with
 * `npm pack --dry-run`): an installed package must contain every file its reports can name.
 * Needs the build (dist/), which `npm ci` makes through `prepare`.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { ROOT } from './helpers/program.ts';

function packedFiles(): Set<string> {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [pack] = JSON.parse(out) as { files: { path: string }[] }[];
  return new Set(pack!.files.map((f) => f.path));
}

test('every source a shipped source map names is shipped too, so every path in a report exists', (t) => {
  if (!existsSync(join(ROOT, 'dist/lib/index.js'))) {
    t.fail('dist/ is missing: run npm run build');
    return;
  }
  const files = packedFiles();
  const maps = [...files].filter((f) => f.endsWith('.js.map'));
  t.true(maps.length > 50, `${maps.length} source maps packed`);
  const missing: string[] = [];
  for (const map of maps) {
    const { sources } = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sources: string[] };
    for (const s of sources) {
      const path = normalize(join(dirname(map), s));
      if (!files.has(path)) missing.push(`${map} -> ${path}`);
    }
  }
  t.deepEqual(missing, []);
  for (const f of [
    'lib/kernel/kernel.ts',
    'bin/cli.ts',
    'demos/ab-ba.ts',
    'bench/native/coro.c',
    'dist/bin/cli.js',
  ])
    t.true(files.has(f), f);
  t.false(
    [...files].some(
      (f) => f.startsWith('spec/') || f.startsWith('bench/results/') || f.startsWith('bench/out/'),
    ),
    'no tests, no results',
  );
});

test('the entry points (., spi, debug, explore) type-check in a consumer project, and the .d.ts hides the internals', (t) => {
  if (!existsSync(join(ROOT, 'dist/lib/index.d.ts'))) {
    t.fail('dist/ is missing: run npm run build');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gk-consumer-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'greenkernel'), 'dir');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['use.ts'],
      }),
    );
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      join(dir, 'use.ts'),
      [
        "import { Kernel, Mutex, sleep, type Routine } from 'greenkernel';",
        "import { enter, suspended, block, wake, registerWaitKind, ThreadQueue, type Waitable } from 'greenkernel/spi';",
        "import { waitGraph, LockValidator } from 'greenkernel/debug';",
        "import { explore, exploreTest, type Scenario } from 'greenkernel/explore';",
        'const scenario: Scenario = (kernel) => { kernel.spawn(function* (): Routine<void> { yield; }); };',
        'void [explore(scenario, { runs: 1 }).runs, exploreTest(scenario)];',
        "import { MemoryDisk, type BlockSession } from 'greenkernel/block';",
        'const disk: BlockSession = new MemoryDisk({ blockCount: 8 }); void disk;',
        "import { FileSystem, mkfs, fsck, crashcheck, type FileHandle } from 'greenkernel/fs';",
        "import { MemoryArbiter } from 'greenkernel/mem';",
        "import { BlockCache, type BlockCacheOptions } from 'greenkernel/cache';",
        'const arbiter = new MemoryArbiter({ budget: 1 << 20 });',
        "const co: BlockCacheOptions = { minBlocks: 4, arbiter, policy: 'sieve' };",
        'const cache: BlockSession = new BlockCache(disk, co); void cache;',
        'void [FileSystem.mount, mkfs, fsck, crashcheck]; const fh: FileHandle | null = null; void fh;',
        'const k = new Kernel();',
        "const m = new Mutex('m');",
        'k.spawn(function* (): Routine<void> { yield* m.lock(); yield* sleep(1); m.unlock(); });',
        'void [enter, suspended, block, wake, registerWaitKind, ThreadQueue, waitGraph, LockValidator];',
        'const w: Waitable | null = null; void w;',
        '// @ts-expect-error the owner is read-only',
        'm.owner = null;',
        '// @ts-expect-error the wake interface is not on the kernel (it is in greenkernel/spi)',
        'k.wake(k.threads[0]!, 1);',
        "// @ts-expect-error a thread's state word is internal",
        'k.threads[0]!.state = 99;',
      ].join('\n'),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    let out = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? e);
    }
    t.is(out, '', 'the consumer type-checks, and every @ts-expect-error is needed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
