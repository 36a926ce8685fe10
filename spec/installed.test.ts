/**
 * Tests of greenkernel as a user gets it: the packed package (`npm pack`) unpacked into an
 * empty project's node_modules, run with plain `node` (no --enable-source-maps, no tsx).
 * Every path a report names must exist there, and the user's own compiled code must show its
 * .ts lines (lib/report/sourcemap.ts reads the user's source maps). Needs the build (dist/).
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from './helpers/program.ts';

let project = '';

test.before(() => {
  if (!existsSync(join(ROOT, 'dist/lib/index.js'))) return;
  project = mkdtempSync(join(tmpdir(), 'gk-installed-'));
  const tarball = execFileSync(
    'npm',
    ['pack', '--ignore-scripts', '--silent', '--pack-destination', project],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  ).trim();
  const pkg = join(project, 'node_modules', 'greenkernel');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', join(project, tarball), '-C', pkg, '--strip-components=1']);
  // the runtime dependency, as npm would install it (no registry needed)
  for (const dep of ['debug', 'ms'])
    symlinkSync(join(ROOT, 'node_modules', dep), join(project, 'node_modules', dep), 'dir');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
});

test.after.always(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true });
});

/** `node ARGS` in the project, plain: no loader, no source-map flag. */
function node(args: string[]): { code: number; out: string } {
  try {
    const out = execFileSync(process.execPath, args, {
      cwd: project,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/** The file of every frame line (`\tfile:line:col`) of a printed report. */
function reportPaths(text: string): string[] {
  return [...text.matchAll(/^\s*\t(.+?):\d+:\d+$/gm)].map((m) => m[1]!);
}

test('from the installed package, every path in every demo report exists and is a .ts source', (t) => {
  if (project === '') return t.fail('dist/ is missing: run npm run build');
  const { out } = node(['node_modules/greenkernel/dist/bin/cli.js', 'demo']);
  const paths = reportPaths(out);
  t.true(paths.length >= 20, out);
  t.true(paths.includes('node_modules/greenkernel/demos/ab-ba.ts'), out);
  for (const p of new Set(paths)) {
    t.true(existsSync(resolve(project, p)), `${p} exists`);
    t.regex(p, /^node_modules\/greenkernel\/(demos|lib)\/.*\.ts$/);
  }
  // and what the maps point at is all there
  t.true(readdirSync(join(project, 'node_modules/greenkernel/lib/kernel')).includes('kernel.ts'));
});

const USER_TS = `import { DeadlockError, Kernel, Mutex, call, sleep, formatReport } from 'greenkernel';

function* transfer(from: Mutex, to: Mutex) {
  yield* from.lock();
  yield* sleep(1);
  yield* to.lock(); // line 6
  to.unlock();
  from.unlock();
}
function* parse(text: string) {
  yield* sleep(1);
  if (text === '') throw new Error('empty input'); // line 12
  return text.length;
}
function* load() {
  return yield* call(parse, ''); // line 16
}

const kernel = new Kernel({ name: 'user', detection: { cycles: 'fail', lockOrder: 'off' } });
const a = new Mutex('A');
const b = new Mutex('B');
kernel.spawn(function* alice() { yield* call(transfer, a, b); });
kernel.spawn(function* bob() { yield* call(transfer, b, a); });
try {
  await kernel.run();
} catch (e) {
  if (!(e instanceof DeadlockError)) throw e;
  console.log(formatReport(e.report));
  console.log(e.stack!.split('\\n').filter((l) => l.startsWith('    at ')).map((l) => 'STACK' + l).join('\\n'));
}
const k2 = new Kernel({ name: 'loader' });
k2.spawn(function* main() {
  try {
    yield* call(load); // line 34
  } catch (e) {
    console.log((e as Error).stack);
  }
});
await k2.run();
`;

test("a user's compiled .js run with plain node: reports and caller chains show the user's .ts lines", (t) => {
  if (project === '') return t.fail('dist/ is missing: run npm run build');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'src', 'user.ts'), USER_TS);
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        skipLibCheck: true,
        types: [],
        sourceMap: true,
        outDir: 'out',
        rootDir: 'src',
      },
      files: ['src/user.ts'],
    }),
  );
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project]);
  const { code, out } = node(['out/user.js']);
  t.is(code, 0, out);
  const paths = reportPaths(out);
  t.true(paths.length >= 4, out);
  for (const p of paths) t.is(p, 'src/user.ts', out);
  t.regex(out, /transfer\(\)\n\s*\tsrc\/user\.ts:6:\d+/);
  // the caller chain of an error thrown in a called subroutine, mapped the same way
  t.regex(out, /at \[main#1\] load \(.*\/src\/user\.ts:16:\d+\)/);
  t.regex(out, /at \[main#1\] main \(.*\/src\/user\.ts:34:\d+\)/);
  t.regex(out, /at parse \(.*\/src\/user\.ts:12:\d+\)\n\s+at \[main#1\] load/);
  t.notRegex(out, /out\/user\.js/);
  // the report error's short stack: the user's frame, none of greenkernel's, with or without
  // node's own source maps (which show greenkernel's frames as its shipped lib/*.ts)
  for (const flags of [[], ['--enable-source-maps']]) {
    const run = node([...flags, 'out/user.js']);
    const stack = run.out.split('\n').filter((l) => l.startsWith('STACK'));
    t.true(stack.length >= 1, run.out);
    t.true(stack[0]!.includes('/src/user.ts:6:'), `${flags.join(' ')}\n${stack.join('\n')}`);
    t.false(
      stack.some((l) => l.includes('node_modules/greenkernel')),
      stack.join('\n'),
    );
  }
});

test('from the installed package, greenkernel crashcheck runs: 0 failures, and the broken journal is caught', (t) => {
  if (project === '') return t.fail('dist/ is missing: run npm run build');
  const cli = 'node_modules/greenkernel/dist/bin/cli.js';
  const ok = node([cli, 'crashcheck', 'create']);
  t.is(ok.code, 0, ok.out);
  t.regex(ok.out, /crashcheck \(journal correct\): \d+ crash states, \d+ distinct, 0 failures/);
  const broken = node([cli, 'crashcheck', 'create', '--journal', 'no-barriers']);
  t.is(broken.code, 1, broken.out);
  t.regex(broken.out, /[1-9]\d* failures/);
});
