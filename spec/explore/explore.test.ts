/**
 * The explorer (lib/explore/explore.ts): it finds bugs hidden behind one interleaving with
 * random, PCT and DFS schedules within the budget, finds none in correct scenarios, replays a
 * failure exactly, and shrinks it to a schedule that still fails the same way.
 */
import test from 'ava';
import fc from 'fast-check';
import { InvalidArgumentError, type Kernel } from '../../lib/index.ts';
import {
  decisionsOf,
  explore,
  exploreTest,
  formatDecisions,
  formatSchedule,
  parseSchedule,
  replay,
  type FailureKind,
  type Scenario,
} from '../../lib/explore/index.ts';
import {
  checkThenAct,
  checkThenActLocked,
  lostWakeup,
  noLostWakeup,
  orderedLocks,
  orderingDeadlock,
} from './scenarios.ts';

const BUDGET = 300;
const planted: [string, Scenario, FailureKind][] = [
  ['check-then-act race', checkThenAct, 'invariant'],
  ['ordering deadlock', orderingDeadlock, 'deadlock'],
  ['lost wake-up', lostWakeup, 'stall'],
];
const correct: [string, Scenario][] = [
  ['check-then-act under a mutex', checkThenActLocked],
  ['one lock order', orderedLocks],
  ['re-checked wake-up', noLostWakeup],
];

for (const [name, scenario, kind] of planted) {
  test(`${name}: the FIFO schedule passes, so the bug hides behind an interleaving`, (t) => {
    t.is(replay(scenario, 'list:').failure, null);
  });
  for (const strategy of ['random', 'pct', 'dfs'] as const) {
    test(`${name}: ${strategy} finds it within ${BUDGET} runs; the schedule replays it exactly`, (t) => {
      const result = explore(scenario, { runs: BUDGET, strategy });
      t.is(result.failures.length, 1);
      const f = result.failures[0]!;
      t.is(f.kind, kind);
      const again = replay(scenario, f.schedule, { trace: true });
      const twice = replay(scenario, f.schedule, { trace: true });
      t.is(again.failure?.kind, kind);
      t.is(`list:${formatDecisions(again.decisions)}`, f.decisions);
      t.is(again.steps, f.steps);
      t.is(again.kernel.trace, twice.kernel.trace);
      t.is(replay(scenario, f.decisions).failure?.kind, kind, 'the decision list replays it too');
    });
  }
  test(`${name}: shrinking keeps the failure with no more preemptions or steps`, (t) => {
    // PCT's failing runs carry extra preemptions to drop.
    const f = explore(scenario, { runs: BUDGET, strategy: 'pct', seed: 11 }).failures[0]!;
    const shrunk = f.shrunk!;
    t.true(shrunk.preemptions <= f.preemptions);
    t.true(shrunk.preemptions < f.preemptions || shrunk.steps <= f.steps);
    t.is(shrunk.preemptions, 1, 'each of these bugs needs exactly one preemption');
    const run = replay(scenario, shrunk.schedule);
    t.is(run.failure?.kind, kind);
    t.is(run.preemptions, shrunk.preemptions);
    t.is(run.steps, shrunk.steps);
  });
}

for (const [name, scenario] of correct) {
  test(`${name}: no failure under random, PCT, or every schedule with up to 3 preemptions`, (t) => {
    t.deepEqual(explore(scenario, { runs: BUDGET, strategy: 'random', p: 0.5 }).failures, []);
    t.deepEqual(explore(scenario, { runs: BUDGET, strategy: 'pct', depth: 3 }).failures, []);
    const dfs = explore(scenario, { runs: 100_000, strategy: 'dfs', preemptions: 3 });
    t.deepEqual(dfs.failures, []);
    t.true(dfs.exhausted);
    t.is(dfs.distinct, dfs.runs, 'DFS runs each schedule once');
  });
}

test('every failure kind: a thread error nobody joined, a spinning thread over the step budget', (t) => {
  const throws: Scenario = (k: Kernel) => {
    k.spawn(function* () {
      yield;
      throw new Error('boom');
    });
  };
  const spins: Scenario = (k: Kernel) => {
    k.spawn(function* () {
      for (;;) yield;
    });
  };
  t.is(explore(throws, { runs: 5 }).failures[0]?.kind, 'thread-error');
  const spin = explore(spins, { runs: 5, maxSteps: 500 }).failures[0]!;
  t.is(spin.kind, 'step-budget');
  const atEnd: Scenario = () => ({ atEnd: () => false });
  t.regex(explore(atEnd, { runs: 1 }).failures[0]!.message, /invariant violated at the end/);
});

test('exploreTest fails the test with the schedule and a command that replays it', (t) => {
  let failed = '';
  exploreTest(checkThenAct, {
    runs: BUDGET,
    file: 'spec/explore/scenarios.ts',
    exportName: 'checkThenAct',
  })({
    pass: () => t.fail('should not pass'),
    fail: (m) => {
      failed = m ?? '';
    },
    log: () => {},
  });
  t.regex(failed, /^invariant in run \d+ of \d+ \(random\)/);
  t.regex(
    failed,
    /replay: {3}npx greenkernel explore spec\/explore\/scenarios\.ts --scenario checkThenAct --replay 'list:[0-9x,]+'/,
  );
});

test(
  'exploreTest passes a correct scenario',
  exploreTest(orderedLocks, { runs: 100, strategy: 'pct' }),
);

test('schedule strings: format and parse are inverse; malformed ones are refused', (t) => {
  fc.assert(
    fc.property(fc.array(fc.nat(5), { maxLength: 60 }), (ds) => {
      const text = formatDecisions(ds);
      let end = ds.length;
      while (end > 0 && ds[end - 1] === 0) end--;
      return (
        formatDecisions(decisionsOf(text)) === text &&
        decisionsOf(text).join() === ds.slice(0, end).join()
      );
    }),
  );
  for (const s of ['random:p=0.25,seed=7', 'pct:d=2,k=40,seed=3', 'list:3x0,1,2x0,2', 'list:'])
    t.is(formatSchedule(parseSchedule(s)), s);
  for (const bad of [
    'fifo',
    'random:p=2,seed=1',
    'pct:d=0,k=3,seed=1',
    'list:1,x',
    'random:seed=1',
    'pct:d=2,k=3,seed=1,z=4',
  ])
    t.throws(() => parseSchedule(bad), { instanceOf: InvalidArgumentError }, bad);
  t.throws(() => replay(checkThenAct, 'list:5'), { message: /does not fit this scenario/ });
  t.throws(() => explore(checkThenAct, { runs: 0 }), { instanceOf: InvalidArgumentError });
});

test('property: any random or PCT run replays from its decision list to the same trace, byte for byte', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.constantFrom('random', 'pct'),
      fc.constantFrom(...planted.map(([, s]) => s), ...correct.map(([, s]) => s)),
      (seed, kind, scenario) => {
        const schedule =
          kind === 'random' ? `random:p=0.5,seed=${seed}` : `pct:d=3,k=12,seed=${seed}`;
        const first = replay(scenario, schedule, { trace: true });
        const again = replay(scenario, `list:${formatDecisions(first.decisions)}`, { trace: true });
        return (
          first.kernel.trace === again.kernel.trace &&
          first.failure?.kind === again.failure?.kind &&
          first.steps === again.steps
        );
      },
    ),
    { numRuns: 200 },
  );
  t.pass();
});
