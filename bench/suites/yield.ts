/**
 * Suite "yield": two threads giving up the processor to each other (a bare yield), for every
 * contender that can express it, at depth 1 and 5 for greenkernel and the raw run queue.
 *
 * Interface: yieldCells(method, notes) -> Cell[].
 * Invariants: every cell does 2 x method.pingPongRounds switches per run and logs strict
 * alternation 0, 1, 0, 1 ...; the C reference is added only when `cc` exists (else a note).
 */
import { gkBareLoopYieldPingPong, threadRecordsPingPong } from '../contenders/ablation.ts';
import { awaitNullPingPong, promisePingPong } from '../contenders/async.ts';
import { effectYieldPingPong } from '../contenders/effect.ts';
import { effectionYieldPingPong } from '../contenders/effection.ts';
import { gkYieldPingPong } from '../contenders/greenkernel.ts';
import { runQueuePingPong, trampolinePingPong } from '../contenders/raw.ts';
import type { Method } from '../method.ts';
import { nativeCellIfBuilt } from '../native.ts';
import type { Cell } from '../types.ts';
import { benchCell } from './cell.ts';

/**
 * The cells of the yield suite.
 *
 * @example
 * const cells = yieldCells(methodFor(true), []);
 */
export function yieldCells(method: Method, notes: string[]): Cell[] {
  const r = method.pingPongRounds;
  const expect = { threads: 2, rounds: r };
  const cell = (contender: string, create: Parameters<typeof benchCell>[5], note?: string): Cell =>
    benchCell('yield-pingpong', contender, 'ns/switch', 2 * r, expect, create, note);
  const cells: Cell[] = [
    cell('raw-trampoline', (p) => trampolinePingPong(r, 1, p)),
    cell('raw-runqueue', (p) => runQueuePingPong(r, 1, p)),
    cell('raw-runqueue-d5', (p) => runQueuePingPong(r, 5, p)),
    cell('greenkernel-d1', (p) => gkYieldPingPong(r, 1, 'call', p)),
    cell('ablation-bare-loop', (p) => gkBareLoopYieldPingPong(r, p)),
    cell('ablation-thread-records', (p) => threadRecordsPingPong(r, p, 'ring')),
    cell('ablation-run-queue', (p) => threadRecordsPingPong(r, p, 'runqueue')),
    cell('greenkernel-d5', (p) => gkYieldPingPong(r, 5, 'call', p)),
    cell('greenkernel-d5-plain', (p) => gkYieldPingPong(r, 5, 'plain', p)),
    cell('greenkernel-d1-trace', (p) => gkYieldPingPong(r, 1, 'call', p, true)),
    cell('async-await-null', (p) => awaitNullPingPong(r, p)),
    // The switch of async/await: two async functions resolving each other's promises.
    cell('async-promise', (p) => promisePingPong(r, p)),
    cell('effection', (p) => effectionYieldPingPong(r, p)),
    cell('effect', (p) => effectYieldPingPong(r, p)),
  ];
  const rounds = method.quick ? 1_000 : 500_000;
  const coro = nativeCellIfBuilt(
    'coro',
    method,
    notes,
    'yield-pingpong',
    'c-setjmp',
    rounds,
    'native, own process; repetitions timed with clock_gettime',
  );
  if (coro !== null) cells.push(coro);
  return cells;
}
