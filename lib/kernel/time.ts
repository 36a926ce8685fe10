/**
 * Time: `sleep(ms)` for threads, and host timers of any length for the kernel.
 *
 * Under the virtual clock a sleep ends when virtual time reaches its deadline, which happens
 * only when nothing else can run; under the real clock it follows the wall clock. Every time
 * argument goes through checkTimeout (operation.ts) when the operation is entered.
 * Invariant: a host delay fires no earlier than asked, whatever its length — one Node timer
 * holds at most 2^31 - 1 ms (a longer one fires after ~1 ms), so longer delays are chained.
 */
import { checkTimeout, enter, suspended, type Operation } from './operation.ts';
import { WAIT_SLEEP } from './waitkind.ts';
import { block } from './waits.ts';

/**
 * Sleeps `ms` of kernel time. Under the virtual clock, time jumps when nothing else can run.
 *
 * @example
 * yield* sleep(10);
 */
export function sleep(ms: number): Operation<void> {
  const self = enter('sleep()', checkTimeout(ms)); // required: sleep(undefined) is EINVAL too
  block(self, null, WAIT_SLEEP, ms);
  return suspended<void>(self);
}

/** The longest delay one Node timer holds. */
const MAX_HOST_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fn` once `ms` of host time have passed, however long that is, at the cost of one
 * timer per 24.8 days. Returns a function that cancels it.
 *
 * @example
 * const cancel = afterHostDelay(2 ** 32, () => console.log('much later')); cancel();
 */
export function afterHostDelay(ms: number, fn: () => void): () => void {
  const due = performance.now() + ms;
  let timer: ReturnType<typeof setTimeout>;
  const arm = (): void => {
    const left = due - performance.now();
    timer =
      left > MAX_HOST_TIMER_MS
        ? setTimeout(arm, MAX_HOST_TIMER_MS)
        : setTimeout(fn, Math.max(0, left));
  };
  arm();
  return () => clearTimeout(timer);
}
