/**
 * Small statistics for benchmark samples: median, extremes, relative margin of error.
 *
 * Interface: median, relativeMarginOfError, spreadPct.
 * Invariants: inputs are non-empty arrays of finite numbers and are never mutated; the margin
 * of error is the 95% two-sided Student-t interval of the mean, as benchmark.js reports it.
 */

// Two-sided 95% critical values of Student's t by degrees of freedom (1..30), then the normal.
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/**
 * The median (mean of the two middle values for an even count).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Relative margin of error of the mean at 95%, in percent (0 for a single sample).
 *
 * @example
 * relativeMarginOfError([10, 11, 9]); // ~24.8
 */
export function relativeMarginOfError(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  let sq = 0;
  for (const x of xs) sq += (x - mean) ** 2;
  const sem = Math.sqrt(sq / (n - 1)) / Math.sqrt(n);
  const t = T95[n - 2] ?? 1.96;
  return mean === 0 ? 0 : ((sem * t) / mean) * 100;
}

/**
 * How far apart the largest and smallest values are, in percent of the smallest.
 *
 * @example
 * spreadPct([10, 12, 11]); // 20
 */
export function spreadPct(xs: readonly number[]): number {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === 0 ? 0 : ((hi - lo) / lo) * 100;
}
