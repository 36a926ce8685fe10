/**
 * Checks that a probed run did the work its workload claims.
 *
 * Interface: checkSchedule(log, expectation) -> null when the log is right, else what is wrong.
 * Invariant: a right log is exactly `rounds` repetitions of 0, 1, ..., threads-1 — for a
 * ping-pong (threads 2) that is strict alternation, for a round robin strict rotation, for a
 * spawn batch (rounds 1) every thread once, in spawn order.
 */
import type { Expectation } from './types.ts';

/**
 * Compares a probe log with the schedule it must show.
 *
 * @example
 * checkSchedule([0, 1, 0, 1], { threads: 2, rounds: 2 }); // null
 * checkSchedule([0, 0, 1, 1], { threads: 2, rounds: 2 }); // 'entry 1: thread 0 ran, expected 1'
 */
export function checkSchedule(log: readonly number[], expect: Expectation): string | null {
  const want = expect.threads * expect.rounds;
  if (log.length !== want)
    return `${log.length} entries logged, expected ${want} (${expect.rounds} rounds of ${expect.threads} threads)`;
  for (let i = 0; i < log.length; i++) {
    const expected = i % expect.threads;
    if (log[i] !== expected) return `entry ${i}: thread ${log[i]} ran, expected ${expected}`;
  }
  return null;
}
