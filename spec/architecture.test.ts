/**
 * The layering of lib/ (ARCHITECTURE.md), read from the import graph: arrows run one way,
 * kernel <- sync <- detect <- report <- the entry points (main, index, spi, debug), and bin/
 * on top. Type-only imports count too: a type is an arrow as well.
 */
import test from 'ava';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from './helpers/program.ts';

/** Rank of each folder: a file may import only from its own rank or lower. */
const RANK: Record<string, number> = {
  'lib/kernel': 0,
  'lib/sync': 1,
  'lib/detect': 2,
  'lib/report': 3,
  lib: 4,
  // The hosted drivers, above the entry points: they reach the runtime only through the
  // public API and greenkernel/spi (DRIVER_GATES), as an outside driver author would.
  'lib/block': 5,
  'lib/mem': 5,
  'lib/cache': 6,
  'lib/fs': 7,
  'lib/explore': 5,
  bin: 8,
};
/** The only files of the entry-point rank a driver layer may import. */
const DRIVER_GATES = new Set(['lib/index.ts', 'lib/spi.ts']);
/** The longest a library module may grow (one concept per file, a few hundred lines). */
const MAX_LINES = 450;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of `file` (static, dynamic, type-only, re-exports), as repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    found.push(relative(ROOT, resolve(join(ROOT, dirname(file)), m[1]!)));
  }
  return found;
}

function rankOf(file: string): number | undefined {
  return RANK[dirname(file)];
}

/** The arrows that run against the layering, as `from -> to` lines. */
export function violations(files: readonly string[], imports: (f: string) => string[]): string[] {
  const bad: string[] = [];
  for (const file of files) {
    const own = rankOf(file)!;
    for (const target of imports(file)) {
      const rank = rankOf(target);
      if (rank === undefined) {
        if (file.startsWith('lib/')) bad.push(`${file} -> ${target} (lib/ imports only lib/)`);
        continue;
      }
      if (rank > own) bad.push(`${file} -> ${target}`);
      else if (own > RANK.lib! && own < RANK.bin! && rank < own && rank <= RANK.lib!) {
        if (!DRIVER_GATES.has(target)) bad.push(`${file} -> ${target} (drivers use index or spi)`);
      }
    }
  }
  return bad;
}

const FILES = [...sources('lib'), ...sources('bin')];

test('imports run one way: kernel <- sync <- detect <- report <- entry points <- bin', (t) => {
  t.true(FILES.length > 30, `${FILES.length} files read`);
  t.deepEqual(violations(FILES, importsOf), []);
});

test('a driver that reaches past greenkernel/spi into the core is refused', (t) => {
  const files = ['lib/block/dev.ts'];
  const imports = (): string[] => ['lib/spi.ts', 'lib/index.ts', 'lib/kernel/waits.ts'];
  t.deepEqual(violations(files, imports), [
    'lib/block/dev.ts -> lib/kernel/waits.ts (drivers use index or spi)',
  ]);
  t.deepEqual(
    violations(['lib/cache/c.ts'], () => ['lib/block/session.ts', 'lib/mem/a.ts']),
    [],
  );
  t.deepEqual(
    violations(['lib/block/d.ts'], () => ['lib/cache/c.ts']),
    ['lib/block/d.ts -> lib/cache/c.ts'],
  );
});

test('the check fails when an arrow is added against the layering', (t) => {
  const withBadArrow = (f: string): string[] =>
    f === 'lib/kernel/kernel.ts' ? [...importsOf(f), 'lib/report/report.ts'] : importsOf(f);
  t.deepEqual(violations(FILES, withBadArrow), ['lib/kernel/kernel.ts -> lib/report/report.ts']);
});

test(`no library module is longer than ${MAX_LINES} lines`, (t) => {
  const long = FILES.filter((f) => f.startsWith('lib/'))
    .map((f) => ({ f, lines: readFileSync(join(ROOT, f), 'utf8').split('\n').length }))
    .filter((x) => x.lines > MAX_LINES)
    .map((x) => `${x.f}: ${x.lines}`);
  t.deepEqual(long, []);
});
