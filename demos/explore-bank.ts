/**
 * Demo: a bank transfer race found by schedule exploration.
 *
 * Two tellers move money out of one account. `transfer` checks the balance, writes an audit
 * record (which gives up the processor), and only then takes the account's lock and debits it:
 * the check and the act are not atomic. Run in FIFO order the tellers never interleave there,
 * and every test passes; one preemption — the second teller checking while the first is in its
 * audit — overdraws the account. The explorer finds that schedule, shrinks it to the one
 * preemption, and prints a string that replays it; the fix (check under the lock) passes every
 * schedule.
 * The module's default export is the scenario, so the command line can explore it:
 *   npx greenkernel explore demos/explore-bank.ts --runs 500 --strategy pct
 * Run alone: `npx tsx demos/explore-bank.ts`.
 */
import { Mutex, type Kernel } from '../lib/index.ts';
import { explore, type ScenarioChecks } from '../lib/explore/index.ts';
import { Printer, runAlone, type Demo, type DemoOptions, type DemoResult } from './common.ts';

interface Bank {
  readonly balance: number[];
  readonly locks: Mutex[];
}

function* audit(_from: number, _to: number, _amount: number) {
  yield; // writing the audit record gives up the processor
}

/** BUG: the balance is checked before the lock is taken. */
function* transferRacy(bank: Bank, from: number, to: number, amount: number) {
  if (bank.balance[from]! < amount) return false;
  yield* audit(from, to, amount);
  yield* bank.locks[from]!.lock();
  bank.balance[from]! -= amount;
  bank.locks[from]!.unlock();
  yield* bank.locks[to]!.lock();
  bank.balance[to]! += amount;
  bank.locks[to]!.unlock();
  return true;
}

/** Fixed: the check and the debit under the account's lock. */
function* transferLocked(bank: Bank, from: number, to: number, amount: number) {
  yield* bank.locks[from]!.lock();
  try {
    if (bank.balance[from]! < amount) return false;
    yield* audit(from, to, amount);
    bank.balance[from]! -= amount;
  } finally {
    bank.locks[from]!.unlock();
  }
  yield* bank.locks[to]!.lock();
  bank.balance[to]! += amount;
  bank.locks[to]!.unlock();
  return true;
}

function setup(kernel: Kernel, racy: boolean): ScenarioChecks {
  const bank: Bank = {
    balance: [100, 0, 0],
    locks: [new Mutex('acct0'), new Mutex('acct1'), new Mutex('acct2')],
  };
  const transfer = racy ? transferRacy : transferLocked;
  kernel.spawn(
    function* teller1() {
      yield* transfer(bank, 0, 1, 80);
    },
    { name: 'teller1' },
  );
  kernel.spawn(
    function* teller2() {
      yield; // serves another customer first
      yield* transfer(bank, 0, 2, 60);
    },
    { name: 'teller2' },
  );
  return {
    invariant: () => bank.balance.every((b) => b >= 0),
    atEnd: () => bank.balance.reduce((a, b) => a + b, 0) === 100,
  };
}

/**
 * The racy bank: the scenario `greenkernel explore demos/explore-bank.ts` explores.
 *
 * @example
 * explore(bank, { runs: 500, strategy: 'pct' }).failures[0]?.kind; // 'invariant'
 */
export default function bank(kernel: Kernel): ScenarioChecks {
  return setup(kernel, true);
}

/**
 * The fixed bank: no schedule overdraws.
 *
 * @example
 * explore(fixedBank, { runs: 500 }).failures; // []
 */
export function fixedBank(kernel: Kernel): ScenarioChecks {
  return setup(kernel, false);
}

async function run(options: DemoOptions = {}): Promise<DemoResult> {
  const out = new Printer(options);
  out.line('== two tellers, one account of 100: transfers of 80 and 60, checked before the lock');
  const found = explore(bank, { runs: 500, strategy: 'pct', seed: 1 });
  const f = found.failures[0];
  if (f !== undefined) {
    out.line(`    PCT: ${f.kind} in run ${f.run}: ${f.message}`);
    out.line(
      `    schedule ${f.schedule}; shrunk to ${f.shrunk?.schedule} (${f.shrunk?.preemptions} preemption)`,
    );
    out.line(
      `    replay: npx greenkernel explore demos/explore-bank.ts --replay '${f.shrunk?.schedule}'`,
    );
  } else out.line('    unexpected: no failure found');
  out.line('');
  out.line('== fixed: the check under the lock');
  const fixed = explore(fixedBank, { runs: 500, strategy: 'pct', seed: 1 });
  out.line(
    `    ${fixed.runs} runs, ${fixed.distinct} distinct schedules, ${fixed.failures.length} failure(s)`,
  );
  return out.result('explore-bank', f?.kind === 'invariant' && fixed.failures.length === 0);
}

export const demo: Demo = {
  name: 'explore-bank',
  title: 'a bank transfer race found by schedule exploration, replayable',
  run,
};

runAlone(import.meta.url, demo);
