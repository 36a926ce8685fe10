/**
 * Time for threads: `sleep(ms)`, and the one check every time argument goes through.
 *
 * Under the virtual clock a sleep ends when virtual time reaches its deadline, which happens
 * only when nothing else can run; under the real clock it follows the wall clock.
 */
import { InvalidArgumentError } from './errors.ts';
import { enter, suspended, type Operation } from './operation.ts';

/**
 * Sleeps `ms` of kernel time. Under the virtual clock, time jumps when nothing else can run.
 *
 * @example
 * yield* sleep(10);
 */
export function sleep(ms: number): Operation<void> {
  const self = enter('sleep()');
  self.kernel.block(self, null, 'sleep', ms); // block() validates the time
  return suspended<void>(self);
}

/**
 * Checks a duration in ms: a finite number >= 0, else InvalidArgumentError. Returns it.
 *
 * @example
 * timers.arm(t, now + checkTimeout(timeoutMs));
 */
export function checkTimeout(ms: number): number {
  if (typeof ms !== 'number' || !(ms >= 0) || ms === Infinity) {
    throw new InvalidArgumentError(`a time must be a finite number of ms >= 0, got ${String(ms)}`);
  }
  return ms;
}
