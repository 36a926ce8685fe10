/**
 * Suite "roundrobin": many threads (1,000 in a full run) each giving up the processor in turn,
 * suspended 1 frame deep and 5 frames deep.
 *
 * Interface: roundRobinCells(method) -> Cell[].
 * Invariants: raw generators and greenkernel keep their threads across runs (each run does
 * rrRounds rounds); async/await, Effection and Effect cannot outlive a run, so they create their
 * threads in each run and do rrRoundsFresh rounds, the creation amortised over those rounds
 * (said in the cell's note). Every run logs strict rotation 0..threads-1.
 */
import { awaitNullRoundRobin } from '../contenders/async.ts';
import { effectRoundRobin } from '../contenders/effect.ts';
import { effectionRoundRobin } from '../contenders/effection.ts';
import { gkRoundRobin } from '../contenders/greenkernel.ts';
import { runQueueRoundRobin, trampolineRoundRobin } from '../contenders/raw.ts';
import type { Method } from '../method.ts';
import type { Cell, Probe, Runner } from '../types.ts';
import { benchCell } from './cell.ts';

/**
 * The cells of the roundrobin suite.
 *
 * @example
 * const cells = roundRobinCells(methodFor(true));
 */
export function roundRobinCells(method: Method): Cell[] {
  const t = method.rrThreads;
  const kept = method.rrRounds;
  const fresh = method.rrRoundsFresh;
  const freshNote = `threads created in every run, amortised over ${fresh} rounds`;
  const persistent = (
    workload: string,
    contender: string,
    create: (p: Probe | null) => Runner,
  ): Cell =>
    benchCell(workload, contender, 'ns/switch', t * kept, { threads: t, rounds: kept }, create);
  const created = (
    workload: string,
    contender: string,
    create: (p: Probe | null) => Runner,
  ): Cell =>
    benchCell(
      workload,
      contender,
      'ns/switch',
      t * fresh,
      { threads: t, rounds: fresh },
      create,
      freshNote,
    );
  return [
    persistent('rr-1000', 'raw-trampoline', (p) => trampolineRoundRobin(t, kept, 1, p)),
    persistent('rr-1000', 'raw-runqueue', (p) => runQueueRoundRobin(t, kept, 1, p)),
    persistent('rr-1000', 'greenkernel-d1', (p) => gkRoundRobin(t, kept, 1, p)),
    created('rr-1000', 'async-await-null', (p) => awaitNullRoundRobin(t, fresh, 1, p)),
    created('rr-1000', 'effection', (p) => effectionRoundRobin(t, fresh, p)),
    created('rr-1000', 'effect', (p) => effectRoundRobin(t, fresh, p)),
    persistent('rr-1000-d5', 'raw-trampoline-d5', (p) => trampolineRoundRobin(t, kept, 5, p)),
    persistent('rr-1000-d5', 'raw-runqueue-d5', (p) => runQueueRoundRobin(t, kept, 5, p)),
    persistent('rr-1000-d5', 'greenkernel-d5', (p) => gkRoundRobin(t, kept, 5, p)),
    created('rr-1000-d5', 'async-await-null-d5', (p) => awaitNullRoundRobin(t, fresh, 5, p)),
  ];
}
