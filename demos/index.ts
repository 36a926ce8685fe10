/**
 * All demos: `npm run demo` (tsx demos/index.ts) runs every one; `npx greenkernel demo [name]`
 * calls `main(['name', ...flags])`.
 *
 * Interface: `demos` (the list), `main(argv)` → exit code (0: every demo behaved as described;
 * 1: one did not; 2: unknown name). Flags: --dot (print DOT graphs), --json (print JSON
 * reports), --list. No top-level await, so this works as .ts under tsx and as compiled .js.
 */
import { demo as abba } from './ab-ba.ts';
import { runAsProgram } from '../lib/entry.ts';
import { parseFlags, type Demo } from './common.ts';
import { demo as joinCycle } from './join-cycle.ts';
import { demo as lockOrder } from './lock-order.ts';
import { demo as lostWakeup } from './lost-wakeup.ts';
import { demo as philosophers } from './philosophers.ts';
import { demo as rumpIo } from './rump-io.ts';
import { demo as semaphoreStall } from './semaphore-stall.ts';

/** Every demo, in the order `npm run demo` runs them. */
export const demos: readonly Demo[] = [rumpIo, abba, philosophers, lostWakeup, joinCycle, semaphoreStall, lockOrder];

/**
 * Runs the named demos (all when none is named), printing to stdout. Returns the exit code.
 *
 * @example
 * process.exitCode = await main(['ab-ba', '--dot']);
 */
export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (argv.includes('--list')) {
    for (const d of demos) console.log(`${d.name.padEnd(16)} ${d.title}`);
    return 0;
  }
  const chosen = flags.rest.length === 0 ? demos : flags.rest.map((n) => demos.find((d) => d.name === n));
  const unknown = flags.rest.filter((n, i) => chosen[i] === undefined);
  if (unknown.length > 0) {
    console.error(`unknown demo(s): ${unknown.join(', ')}; known: ${demos.map((d) => d.name).join(', ')}`);
    return 2;
  }
  let failed = 0;
  for (const d of chosen as Demo[]) {
    console.log(`\n######## ${d.name}: ${d.title}\n`);
    const r = await d.run({ dot: flags.dot, json: flags.json, write: (l) => console.log(l) });
    if (!r.expected) failed++;
  }
  console.log(`\n${chosen.length - failed}/${chosen.length} demo(s) behaved as described`);
  return failed === 0 ? 0 : 1;
}

runAsProgram(import.meta.url, main);
