import test from 'ava';
import { WORKLOADS, checkState, crashcheck, runWorkload } from '../../lib/fs/index.ts';

const SUBSETS = 24;
let total = 0;
let distinct = 0;

for (const name of Object.keys(WORKLOADS)) {
  test.serial(
    `crash states of workload ${name}: every one mounts, passes fsck and keeps what was synced`,
    (t) => {
      const summary = crashcheck({ workloads: [name], subsets: SUBSETS });
      t.deepEqual(summary.failures, []);
      t.true(summary.states > 50, `${summary.states} states`);
      total += summary.states;
      distinct += summary.distinct;
    },
  );
}

test.serial('at least 10 workloads and 10,000 crash states in all, 0 failures', (t) => {
  t.true(Object.keys(WORKLOADS).length >= 10);
  t.true(total >= 10_000, `${total} states (${distinct} distinct)`);
  t.log(
    `${Object.keys(WORKLOADS).length} workloads, ${total} crash states, ${distinct} distinct, 0 failures`,
  );
});

for (const journal of ['no-barriers', 'commit-first'] as const) {
  test(`a broken journal (${journal}) is caught, and a failure replays from its description`, (t) => {
    const summary = crashcheck({
      journal,
      workloads: ['write-fsync', 'rename-over'],
      maxFailures: 3,
    });
    t.true(summary.failures.length > 0);
    const f = summary.failures[0]!;
    t.regex(
      f.replay,
      new RegExp(`crashcheck ${f.workload} --journal ${journal} --prefix ${f.prefix}`),
    );
    t.log(`${journal}: ${f.replay}\n  ${f.problems.slice(0, 3).join('\n  ')}`);
    // Replaying the description finds the same problems.
    t.deepEqual(checkState(runWorkload(f.workload, journal), f.prefix, f.survivors), f.problems);
  });
}

test('over the block cache (fs -> cache -> recording disk): every workload, 0 failures; no barriers fails', (t) => {
  const good = crashcheck({ cache: true, subsets: 8 });
  t.deepEqual(good.failures, []);
  t.true(good.states > 500, `${good.states} states`);
  const bad = crashcheck({ cache: true, journal: 'no-barriers', maxFailures: 1 });
  t.true(bad.failures.length > 0);
  const f = bad.failures[0]!;
  t.regex(f.replay, / --cache /);
  t.deepEqual(
    checkState(runWorkload(f.workload, 'no-barriers', 1, true), f.prefix, f.survivors),
    f.problems,
  );
  t.log(`over the cache: ${good.states} states, ${good.distinct} distinct, 0 failures`);
});

test('an unknown workload is EINVAL', (t) => {
  t.throws(() => crashcheck({ workloads: ['nope'] }), { code: 'EINVAL' } as never);
  t.throws(() => crashcheck({ subsets: 1000 }), { code: 'EINVAL' } as never);
});
