/**
 * Tests of lib/report/sourcemap.ts: positions of compiled scripts mapped through their own
 * source maps (inline or in a file, with a sourceRoot), with no --enable-source-maps.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mapStack, originalPosition } from '../../lib/report/sourcemap.ts';

// generated line 1 col 0 -> source 0 line 0 col 0; generated line 2 col 2 -> line 4 col 4
const MAPPINGS = 'AAAA;EAII,IAAI';

function withDir(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'gk-sourcemap-'));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a map in a file next to the script, sources resolved against sourceRoot', (t) =>
  withDir((dir) => {
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'a.js'), 'x;\n  y;\n//# sourceMappingURL=a.js.map\n');
    writeFileSync(
      join(dir, 'out', 'a.js.map'),
      JSON.stringify({
        version: 3,
        sources: ['a.ts'],
        sourceRoot: '../src',
        names: [],
        mappings: MAPPINGS,
      }),
    );
    t.deepEqual(originalPosition(join(dir, 'out', 'a.js'), 1, 2), {
      file: join(dir, 'src', 'a.ts'),
      line0: 4,
      column0: 4,
    });
    t.is(
      mapStack(
        `Error: x\n    at f (file://${join(dir, 'out', 'a.js')}:2:3)\n    at g (node:internal/x:1:1)`,
      ),
      `Error: x\n    at f (${join(dir, 'src', 'a.ts')}:5:5)\n    at g (node:internal/x:1:1)`,
    );
  }));

test('an inline (data: URL) map', (t) =>
  withDir((dir) => {
    const map = Buffer.from(
      JSON.stringify({ version: 3, sources: ['../src/b.ts'], names: [], mappings: MAPPINGS }),
    ).toString('base64');
    writeFileSync(
      join(dir, 'b.js'),
      `x;\n  y;\n//# sourceMappingURL=data:application/json;base64,${map}\n`,
    );
    t.is(originalPosition(join(dir, 'b.js'), 1, 2)?.file, join(dirname(dir), 'src', 'b.ts'));
  }));

test('no map, a bad map, a missing file: null, never a throw', (t) =>
  withDir((dir) => {
    writeFileSync(join(dir, 'plain.js'), 'x;\n');
    writeFileSync(join(dir, 'bad.js'), 'x;\n//# sourceMappingURL=bad.js.map\n');
    writeFileSync(join(dir, 'bad.js.map'), '{ not json');
    t.is(originalPosition(join(dir, 'plain.js'), 0, 0), null);
    t.is(originalPosition(join(dir, 'bad.js'), 0, 0), null);
    t.is(originalPosition(join(dir, 'missing.js'), 0, 0), null);
  }));
