/**
 * All demos: `npm run demo` (tsx demos/index.ts) runs every one; `npx greenkernel demo [name]`
 * calls `main(['name', ...flags])`.
 *
 * Interface: `demos` (the list), `main(argv)` → exit code (0: every demo behaved as described;
 * 1: one did not; 2: a usage error — unknown flag or demo name). Flags (demos/args.ts):
 * --list, --json FILE, --dot FILE, --help. No top-level await, so this works as .ts under tsx
 * and as compiled .js.
 */
import { demo as abba } from './ab-ba.ts';
import { demo as embedding } from './embedding.ts';
import { demo as balloon } from './balloon.ts';
import { parseCommand, runAsProgram, stop, usageError } from '../bin/entry.ts';
import { DEMO_COMMAND, outputTargets } from './args.ts';
import { runDemos, type Demo } from './common.ts';
import { demo as fsCrash } from './fs-crash.ts';
import { demo as fsTwo } from './fs-two.ts';
import { demo as joinCycle } from './join-cycle.ts';
import { demo as lockOrder } from './lock-order.ts';
import { demo as lostWakeup } from './lost-wakeup.ts';
import { demo as philosophers } from './philosophers.ts';
import { demo as rumpIo } from './rump-io.ts';
import { demo as semaphoreStall } from './semaphore-stall.ts';

/** Every demo, in the order `npm run demo` runs them. */
export const demos: readonly Demo[] = [
  rumpIo,
  abba,
  philosophers,
  lostWakeup,
  joinCycle,
  semaphoreStall,
  lockOrder,
  embedding,
  balloon,
  fsCrash,
  fsTwo,
];

/**
 * Runs the named demos (all when none is named). Returns the exit code.
 *
 * @example
 * process.exitCode = await main(['ab-ba', '--dot', 'ab-ba.dot']);
 */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(DEMO_COMMAND, argv);
  if ('exit' in parsed) return stop(parsed);
  if (parsed.values.list === true) {
    for (const d of demos) console.log(`${d.name.padEnd(16)} ${d.title}`);
    return 0;
  }
  const targets = outputTargets(parsed.values, DEMO_COMMAND);
  if ('exit' in targets) return stop(targets);
  const names = parsed.operands;
  const unknown = names.filter((n) => !demos.some((d) => d.name === n));
  if (unknown.length > 0)
    return stop(
      usageError(
        DEMO_COMMAND,
        `unknown demo(s): ${unknown.join(', ')}; known: ${demos.map((d) => d.name).join(', ')}`,
      ),
    );
  return runDemos(
    names.length === 0 ? demos : names.map((n) => demos.find((d) => d.name === n)!),
    targets,
  );
}

runAsProgram(import.meta.url, main);
