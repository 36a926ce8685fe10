/**
 * Tests of what the published package holds (package.json `files`, checked with
 * `npm pack --dry-run`): an installed package must contain every file its reports can name.
 * Needs the build (dist/), which `npm ci` makes through `prepare`.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { ROOT } from './helpers/program.ts';

function packedFiles(): Set<string> {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
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
  for (const f of ['lib/kernel/kernel.ts', 'bin/cli.ts', 'demos/ab-ba.ts', 'bench/native/coro.c', 'dist/bin/cli.js']) t.true(files.has(f), f);
  t.false([...files].some((f) => f.startsWith('spec/') || f.startsWith('bench/results/') || f.startsWith('bench/out/')), 'no tests, no results');
});
