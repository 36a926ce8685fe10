/**
 * A shorthand for declaring the timed cells of a suite.
 *
 * Interface: benchCell(workload, contender, unit, opsPerRun, expect, create, note?).
 * Invariant: the cell's opsPerRun and expect describe the same work as `create`'s runner does:
 * the suites derive both from the same sizes they pass to the contender.
 */
import type { BenchCell, Expectation, Probe, Runner } from '../types.ts';

/**
 * Declares a cell timed in-process by the harness.
 *
 * @example
 * benchCell('yield-pingpong', 'raw-trampoline', 'ns/switch', 2 * r, { threads: 2, rounds: r }, (p) => trampolinePingPong(r, 1, p));
 */
export function benchCell(
  workload: string,
  contender: string,
  unit: 'ns/switch' | 'ns/thread',
  opsPerRun: number,
  expect: Expectation,
  create: (probe: Probe | null) => Runner,
  note?: string,
): BenchCell {
  return {
    kind: 'bench',
    workload,
    contender,
    unit,
    opsPerRun,
    expect,
    create,
    ...(note !== undefined ? { note } : {}),
  };
}
