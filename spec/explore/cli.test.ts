/**
 * `greenkernel explore FILE` (bin/explore.ts), run as a user's shell would: it explores the bank
 * demo and prints a failure whose replay command reproduces it; a schedule printed by
 * exploreTest replays from the command line; --trace and --svg write the failing run.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exploreTest } from '../../lib/explore/index.ts';
import { runProgram } from '../helpers/program.ts';
import { lostWakeup } from './scenarios.ts';

const cli = (...args: string[]) => runProgram('bin/cli.ts', args);

/** The arguments of the `replay:` line of explore's output. */
function replayArgs(output: string): string[] {
  const m = /replay: +npx greenkernel (explore .*) --replay '([^']+)'/.exec(output);
  if (m === null) throw new Error(`no replay line in:\n${output}`);
  return [...m[1]!.split(' '), '--replay', m[2]!];
}

test('explore finds the bank race, prints a replayable failure, and --replay reproduces it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gk-explore-'));
  try {
    const trace = join(dir, 'bank.json');
    const svg = join(dir, 'bank.svg');
    const found = await cli(
      'explore',
      'demos/explore-bank.ts',
      '--runs',
      '300',
      '--strategy',
      'pct',
      '--trace',
      trace,
      '--svg',
      svg,
    );
    t.is(found.code, 1, found.stderr);
    t.regex(
      found.stdout,
      /^explored demos\/explore-bank\.ts \(pct\): \d+ runs, \d+ distinct schedules, 1 failure\(s\), \d+ runs\/s/m,
    );
    t.regex(found.stdout, /FAIL invariant in run \d+: invariant violated/);
    t.regex(found.stdout, /shrunk: +list:[0-9x,]+ +\(\d+ steps, 1 preemption\(s\)\)/);
    t.is(found.stderr, '', 'no progress bar when stderr is not a TTY');
    const doc = JSON.parse(readFileSync(trace, 'utf8')) as { traceEvents: { name: string }[] };
    t.true(doc.traceEvents.some((e) => e.name === 'thread_name'));
    t.regex(readFileSync(svg, 'utf8'), /<g class="lane" data-thread="2"/);
    const replayed = await cli(...replayArgs(found.stdout));
    t.is(replayed.code, 1);
    t.regex(replayed.stdout, /^replayed list:[0-9x,]+: invariant \(\d+ steps, 1 preemption\(s\)\)/);
    const fixed = await cli(
      'explore',
      'demos/explore-bank.ts',
      '--scenario',
      'fixedBank',
      '--strategy',
      'dfs',
      '--preemptions',
      '3',
    );
    t.is(fixed.code, 0);
    t.regex(fixed.stdout, /0 failure\(s\).*every schedule within the bound/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a schedule printed by exploreTest replays from the command line', async (t) => {
  let message = '';
  exploreTest(lostWakeup, {
    runs: 300,
    strategy: 'random',
    file: 'spec/explore/scenarios.ts',
    exportName: 'lostWakeup',
  })({
    pass: () => {},
    fail: (m) => {
      message = m ?? '';
    },
    log: () => {},
  });
  const replayed = await cli(...replayArgs(message));
  t.is(replayed.code, 1, replayed.stdout + replayed.stderr);
  t.regex(replayed.stdout, /: stall \(/);
});

test('explore: bad flags, a bad schedule or a module without a scenario are usage errors (exit 2)', async (t) => {
  const cases = [
    ['explore', 'demos/explore-bank.ts', '--bogus'],
    ['explore'],
    ['explore', 'demos/explore-bank.ts', '--runs', 'many'],
    ['explore', 'demos/explore-bank.ts', '--replay', 'fifo'],
    ['explore', 'demos/explore-bank.ts', '--scenario', 'nothing'],
  ];
  const results = await Promise.all(cases.map((args) => cli(...args)));
  results.forEach(({ code, stdout, stderr }, i) => {
    const args = cases[i]!.join(' ');
    t.is(code, 2, args);
    t.is(stdout, '', args);
    t.regex(stderr, /^greenkernel explore: /, args);
  });
});

test('greenkernel help lists explore and its flags', async (t) => {
  const { code, stdout } = await cli('help');
  t.is(code, 0);
  t.regex(stdout, /^ {2}explore\b/m);
  for (const flag of [
    '--runs N',
    '--strategy NAME',
    '--replay SCHEDULE',
    '--trace FILE',
    '--svg FILE',
  ])
    t.true(stdout.includes(flag), flag);
});

test('the demo runner writes its runs as Chrome trace-event JSON with --trace FILE, a process per kernel', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gk-demo-trace-'));
  try {
    const file = join(dir, 'lost-wakeup.json');
    const { code, stdout } = await runProgram('demos/index.ts', ['lost-wakeup', '--trace', file]);
    t.is(code, 0);
    t.true(stdout.includes(`wrote ${file}`));
    const doc = JSON.parse(readFileSync(file, 'utf8')) as {
      traceEvents: { ph: string; pid: number; name: string; args?: { name?: string } }[];
    };
    const processes = doc.traceEvents
      .filter((e) => e.name === 'process_name')
      .map((e) => e.args?.name);
    t.deepEqual(processes, ['lost-wakeup: racy', 'lost-wakeup: fixed']);
    t.true(doc.traceEvents.some((e) => e.name === 'blocked on condvar queue.ready'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
