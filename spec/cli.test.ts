/**
 * Tests of the `greenkernel` command line (bin/cli.ts) and the argument handling it shares with
 * the demos and the benchmarks (bin/entry.ts): each test runs the program in a child process,
 * as a shell would, and checks its exit code and what it printed where.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_COMMAND } from '../bench/args.ts';
import { DEMO_COMMAND } from '../demos/args.ts';
import { formatUsage, type Command } from '../bin/entry.ts';
import { runProgram } from './helpers/program.ts';

const cli = (...args: string[]) => runProgram('bin/cli.ts', args);

test('greenkernel help lists every command and every flag of every command', async (t) => {
  const { code, stdout } = await cli('help');
  t.is(code, 0);
  for (const command of ['demo', 'bench', 'help'])
    t.regex(stdout, new RegExp(`^  ${command}\\b`, 'm'), command);
  for (const flag of ['--list', '--dot', '--json']) t.true(stdout.includes(flag), flag);
  for (const command of [DEMO_COMMAND, BENCH_COMMAND] as Command[]) {
    for (const [name, flag] of Object.entries(command.flags)) {
      t.true(
        stdout.includes(`--${name}${flag.type === 'string' ? ` ${flag.value}` : ''}`),
        `${command.name} --${name}`,
      );
    }
  }
  t.is((await cli('--help')).stdout, stdout);
});

test('no command, or an unknown one: usage on stderr, exit 2', async (t) => {
  for (const args of [[], ['frobnicate'], ['--bogus']]) {
    const { code, stdout, stderr } = await cli(...args);
    t.is(code, 2, args.join(' '));
    t.is(stdout, '');
    t.regex(stderr, /usage: greenkernel <command>/);
  }
});

test('demo: an unknown flag or a missing value is a usage error (exit 2), and no demo runs', async (t) => {
  for (const args of [
    ['demo', '--bogus'],
    ['demo', 'ab-ba', '--json'],
    ['demo', '--list=yes'],
  ]) {
    const { code, stdout, stderr } = await cli(...args);
    t.is(code, 2, args.join(' '));
    t.is(stdout, '', 'nothing ran');
    t.regex(stderr, /^greenkernel demo: /);
    t.regex(stderr, /usage: greenkernel demo \[options\] \[name\.\.\.\]/);
  }
});

test('demo --help prints the usage on stdout and runs no demo', async (t) => {
  const { code, stdout, stderr } = await cli('demo', '--help');
  t.is(code, 0);
  t.is(stdout, `${formatUsage(DEMO_COMMAND as Command)}\n`);
  t.false(stdout.includes('########'));
  t.is(stderr, '');
});

test('demo with an unknown name: exit 2, the known names on stderr', async (t) => {
  const { code, stdout, stderr } = await cli('demo', 'no-such-demo');
  t.is(code, 2);
  t.is(stdout, '');
  t.regex(stderr, /unknown demo\(s\): no-such-demo; known: rump-io, ab-ba/);
});

test('demo --json - writes one JSON document to stdout (it parses), the prose goes to stderr', async (t) => {
  const { code, stdout, stderr } = await cli('demo', 'ab-ba', '--json', '-');
  t.is(code, 0, stderr);
  const doc = JSON.parse(stdout) as {
    demos: { name: string; expected: boolean; reports: { kind: string; cycles: unknown[] }[] }[];
  };
  t.deepEqual(
    doc.demos.map((d) => [d.name, d.expected, d.reports.map((r) => r.kind)]),
    [['ab-ba', true, ['deadlock']]],
  );
  t.is(doc.demos[0]!.reports[0]!.cycles.length, 1);
  t.regex(stderr, /######## ab-ba/);
  t.regex(stderr, /1\/1 demo\(s\) behaved as described/);
});

test('demo --dot - writes DOT to stdout; the lock-order graph is the cycle of lock classes', async (t) => {
  const { code, stdout, stderr } = await cli('demo', 'lock-order', '--dot', '-');
  t.is(code, 0, stderr);
  t.true(stdout.startsWith('digraph '), stdout.slice(0, 80));
  t.is(stdout.match(/^digraph /gm)?.length, 1, 'one graph: one report');
  t.regex(stdout, /"mutex buffer" -> "mutex inode"/);
  t.regex(stdout, /"mutex inode" -> "mutex buffer"/);
  t.regex(stdout, /flusher#2/);
  t.regex(stdout, /writer#1/);
  t.regex(stdout, /\}\n$/);
  t.regex(stderr, /LOCK ORDER INVERSION/);
});

test('demo --json FILE --dot FILE write the files; stdout keeps the prose', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'greenkernel-cli-'));
  try {
    const json = join(dir, 'reports.json');
    const dot = join(dir, 'graphs.dot');
    const { code, stdout } = await cli(
      'demo',
      'lost-wakeup',
      'join-cycle',
      '--json',
      json,
      '--dot',
      dot,
    );
    t.is(code, 0);
    t.regex(stdout, /######## lost-wakeup/);
    t.regex(stdout, new RegExp(`wrote ${json.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { demos: { name: string }[] };
    t.deepEqual(
      doc.demos.map((d) => d.name),
      ['lost-wakeup', 'join-cycle'],
    );
    t.is(readFileSync(dot, 'utf8').match(/^digraph /gm)?.length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--json - and --dot - together would mix two formats on stdout: a usage error', async (t) => {
  const { code, stdout, stderr } = await cli('demo', 'ab-ba', '--json', '-', '--dot', '-');
  t.is(code, 2);
  t.is(stdout, '');
  t.regex(stderr, /only one of --json and --dot can write to stdout/);
});

test('a single demo run as its own program takes the same output flags', async (t) => {
  const { code, stdout } = await runProgram('demos/ab-ba.ts', ['--json', '-']);
  t.is(code, 0);
  t.is((JSON.parse(stdout) as { demos: unknown[] }).demos.length, 1);
  const bad = await runProgram('demos/ab-ba.ts', ['--bogus']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /unknown option '--bogus'/);
});
