/**
 * Figures for the exploration notes: how many runs random and PCT need to find each planted
 * bug of spec/explore/scenarios.ts (median and range over 20 seeds), and runs per second on
 * scenarios that do not fail.
 * Run: `npx tsx demos/explore-stats.ts`. Interface: none (a script).
 */
import { explore, type Scenario } from '../lib/explore/index.ts';
import * as s from '../spec/explore/scenarios.ts';
import bank, { fixedBank } from './explore-bank.ts';

const SEEDS = 20;
const planted: [string, Scenario][] = [
  ['check-then-act race', s.checkThenAct],
  ['ordering deadlock', s.orderingDeadlock],
  ['lost wake-up', s.lostWakeup],
  ['bank transfer race', bank],
];

function median(xs: number[]): number {
  const a = xs.slice().sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 === 1 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
}

for (const [name, scenario] of planted) {
  for (const strategy of ['random', 'pct'] as const) {
    const runs: number[] = [];
    for (let i = 0; i < SEEDS; i++) {
      const r = explore(scenario, { runs: 10_000, strategy, seed: i * 100_000, shrink: false });
      runs.push(r.failures.length > 0 ? r.failures[0]!.run : Infinity);
    }
    console.log(
      `${name.padEnd(22)} ${strategy.padEnd(6)} runs to find: median ${median(runs)}, min ${Math.min(...runs)}, max ${Math.max(...runs)} (${SEEDS} seeds)`,
    );
  }
  const dfs = explore(scenario, { runs: 10_000, strategy: 'dfs', shrink: false });
  console.log(`${name.padEnd(22)} dfs    runs to find: ${dfs.failures[0]?.run ?? 'not found'}`);
}

const correct: [string, Scenario][] = [
  ['check-then-act locked', s.checkThenActLocked],
  ['ordered locks', s.orderedLocks],
  ['fixed bank', fixedBank],
];
for (const [name, scenario] of correct) {
  for (const strategy of ['random', 'pct'] as const) {
    explore(scenario, { runs: 2_000, strategy }); // warm-up
    const r = explore(scenario, { runs: 20_000, strategy });
    console.log(
      `${name.padEnd(22)} ${strategy.padEnd(6)} ${r.runs} runs, ${r.distinct} distinct, ${r.failures.length} failures, ${Math.round(r.runsPerSecond)} runs/s`,
    );
  }
}
