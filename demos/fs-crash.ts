/**
 * Demo: the file system's crash-consistency checker (lib/fs/crashcheck.ts).
 *
 *  a. Three workloads (create and fsync, write and fsync, the atomic replace: write a.tmp,
 *     fsync, rename over a, fsync) run on a recording disk; every crash state — each prefix of
 *     the device's write log, with every, none, and seeded subsets of the writes not yet stable —
 *     is mounted (replaying the journal), checked with fsck, and compared with what was synced.
 *     The journal orders its writes with barriers and FUA: no state fails.
 *  b. The same with a journal that drops its barriers: the commit record can reach the disk
 *     before the logged blocks, the checker finds states that replay garbage, and prints the
 *     command that replays one.
 * This demo makes no deadlock or stall report: its output is the checker's summary.
 * Run alone: `npx tsx demos/fs-crash.ts`.
 */
import { crashcheck, type CrashSummary } from '../lib/fs/index.ts';
import { Printer, runAlone, type Demo, type DemoOptions, type DemoResult } from './common.ts';

const WORKLOADS = ['create', 'write-fsync', 'rename-over'];

function summarize(out: Printer, s: CrashSummary): void {
  for (const w of s.workloads)
    out.line(
      `    ${w.name.padEnd(12)} ${String(w.writes).padStart(3)} writes  ${String(w.states).padStart(5)} crash states`,
    );
  out.line(`    ${s.states} crash states, ${s.distinct} distinct, ${s.failures.length} failures`);
}

async function run(options: DemoOptions = {}): Promise<DemoResult> {
  const out = new Printer(options);
  out.line(
    '== the journal as written: log blocks, barrier, commit record with FUA, install, clear',
  );
  const good = crashcheck({ workloads: WORKLOADS, subsets: 8 });
  summarize(out, good);
  out.line('');
  out.line("== a broken journal: no barriers (journal: 'no-barriers')");
  const bad = crashcheck({
    workloads: WORKLOADS,
    subsets: 8,
    journal: 'no-barriers',
    maxFailures: 5,
  });
  summarize(out, bad);
  const f = bad.failures[0];
  if (f !== undefined) {
    out.line(
      `    first failure: ${f.workload}, crash after ${f.prefix} log entries, survivors [${f.survivors.join(',')}]`,
    );
    for (const p of f.problems.slice(0, 3)) out.line(`      ${p}`);
    out.line(`    replay it: npx ${f.replay}`);
  }
  return out.result('fs-crash', good.failures.length === 0 && bad.failures.length > 0);
}

export const demo: Demo = {
  name: 'fs-crash',
  title: 'crash-consistency checker: a journaled file system passes, one without barriers fails',
  run,
};

runAlone(import.meta.url, demo);
