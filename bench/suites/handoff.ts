/**
 * Suite "handoff": blocking hand-offs between two threads — 1-slot mailbox ping-pong and its
 * equivalents, a mutex passed back and forth, condition-variable turn taking.
 *
 * Interface: handoffCells(method, notes) -> Cell[].
 * Invariants: every cell does 2 x method.pingPongRounds hand-offs per run and logs strict
 * alternation; the raw mailbox (the floor of all three workloads) is measured in this same
 * process, and so is the protocol floor (the same ping-pong blocking through typed `yield*`);
 * the pthread reference is added only when `cc` exists (else a note).
 */
import { gkUncheckedSemaphorePingPong } from '../contenders/ablation.ts';
import { promisePingPong } from '../contenders/async.ts';
import { effectQueuePingPong } from '../contenders/effect.ts';
import { effectionChannelPingPong } from '../contenders/effection.ts';
import {
  gkCondvarPingPong,
  gkMutexHandoff,
  gkSemaphorePingPong,
} from '../contenders/greenkernel-sync.ts';
import { protocolFloorPingPong } from '../contenders/protocol-floor.ts';
import { rawMailboxPingPong } from '../contenders/raw-mailbox.ts';
import type { Method } from '../method.ts';
import { nativeCellIfBuilt } from '../native.ts';
import type { Cell } from '../types.ts';
import { benchCell } from './cell.ts';

/**
 * The cells of the handoff suite.
 *
 * @example
 * const cells = handoffCells(methodFor(true), []);
 */
export function handoffCells(method: Method, notes: string[]): Cell[] {
  const r = method.pingPongRounds;
  const expect = { threads: 2, rounds: r };
  const cell = (
    workload: string,
    contender: string,
    create: Parameters<typeof benchCell>[5],
    note?: string,
  ): Cell => benchCell(workload, contender, 'ns/switch', 2 * r, expect, create, note);
  const cells: Cell[] = [
    cell('mailbox-pingpong', 'raw-mailbox', (p) => rawMailboxPingPong(r, p)),
    cell('mailbox-pingpong', 'protocol-floor', (p) => protocolFloorPingPong(r, p)),
    cell('mailbox-pingpong', 'greenkernel-semaphore', (p) => gkSemaphorePingPong(r, p)),
    cell('mailbox-pingpong', 'ablation-unchecked-semaphore', (p) =>
      gkUncheckedSemaphorePingPong(r, p),
    ),
    cell('mailbox-pingpong', 'async-promise', (p) => promisePingPong(r, p)),
    cell('mailbox-pingpong', 'effection-channel', (p) => effectionChannelPingPong(r, p)),
    cell('mailbox-pingpong', 'effect-queue', (p) => effectQueuePingPong(r, 'default', p)),
    cell('mailbox-pingpong', 'effect-queue-sync', (p) => effectQueuePingPong(r, 'sync', p)),
    cell('mutex-handoff', 'greenkernel-mutex', (p) => gkMutexHandoff(r, p)),
    cell('condvar-pingpong', 'greenkernel-condvar', (p) => gkCondvarPingPong(r, p)),
  ];
  const rounds = method.quick ? 200 : 10_000;
  const pthread = nativeCellIfBuilt(
    'pthread_pingpong',
    method,
    notes,
    'condvar-pingpong',
    'c-pthread',
    rounds,
    'two OS threads on 2 cores; native, own process',
  );
  if (pthread !== null) cells.push(pthread);
  return cells;
}
