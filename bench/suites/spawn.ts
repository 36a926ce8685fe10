/**
 * Suite "spawn": the cost of creating a thread that exits at once and seeing it finish.
 *
 * Interface: spawnCells(method) -> Cell[].
 * Invariants: every run spawns method.spawnBatch threads and waits for all of them; each logs
 * its index once, so the log is 0..batch-1 in spawn order. Figures are ns per thread. The
 * greenkernel cell, as raw and async, runs one function for every thread; greenkernel-closures
 * gives each thread a closure of its own (each with its own generator map).
 */
import { threadRecordsSpawnExit } from '../contenders/ablation.ts';
import { asyncSpawnExit } from '../contenders/async.ts';
import { gkBareLoopSpawnExit, spawnBookkeepingSpawnExit } from '../contenders/spawn-ablation.ts';
import { effectSpawnExit } from '../contenders/effect.ts';
import { effectionSpawnExit } from '../contenders/effection.ts';
import { gkSpawnExit } from '../contenders/greenkernel.ts';
import { rawSpawnExit } from '../contenders/raw.ts';
import type { Method } from '../method.ts';
import type { Cell, Probe, Runner } from '../types.ts';
import { benchCell } from './cell.ts';

/**
 * The cells of the spawn suite.
 *
 * @example
 * const cells = spawnCells(methodFor(true));
 */
export function spawnCells(method: Method): Cell[] {
  const b = method.spawnBatch;
  const cell = (contender: string, create: (p: Probe | null) => Runner): Cell =>
    benchCell('spawn-exit', contender, 'ns/thread', b, { threads: b, rounds: 1 }, create);
  return [
    cell('raw-generators', (p) => rawSpawnExit(b, p)),
    cell('greenkernel', (p) => gkSpawnExit(b, p)),
    cell('greenkernel-closures', (p) => gkSpawnExit(b, p, true)),
    cell('ablation-spawn-records', (p) => threadRecordsSpawnExit(b, p)),
    cell('ablation-spawn-bookkeeping', (p) => spawnBookkeepingSpawnExit(b, p)),
    cell('ablation-spawn-bare-loop', (p) => gkBareLoopSpawnExit(b, p)),
    cell('async-await', (p) => asyncSpawnExit(b, p)),
    cell('effection-tasks', (p) => effectionSpawnExit(b, p)),
    cell('effect-fibers', (p) => effectSpawnExit(b, p)),
  ];
}
