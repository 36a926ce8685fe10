/**
 * How greenkernel prints a time: kernel milliseconds rounded to the microsecond.
 *
 * Interface: `roundMs(ms)` → number, `formatMs(ms)` → `'13.437 ms'`.
 * Why µs: under `clock: 'real'` times come from `performance.now()`, whose sums and differences
 * carry float noise (`13.437000000000012`); nothing greenkernel measures means anything below a
 * microsecond. Virtual times are integers in practice and print unchanged, so reports of the
 * same run stay byte-identical. Every report, dump, trace and timeout message prints times
 * through here.
 */

/**
 * `ms` rounded to 3 decimals (µs); integers and non-finite values unchanged.
 *
 * @example
 * roundMs(13.437000000000012); // 13.437
 */
export function roundMs(ms: number): number {
  if (Number.isInteger(ms) || !Number.isFinite(ms)) return ms;
  const r = Math.round(ms * 1000) / 1000;
  return Object.is(r, -0) ? 0 : r;
}

/**
 * A time for people: rounded to the µs, with its unit.
 *
 * @example
 * formatMs(13.437000000000012); // '13.437 ms'
 * formatMs(5); // '5 ms'
 */
export function formatMs(ms: number): string {
  return `${roundMs(ms)} ms`;
}
