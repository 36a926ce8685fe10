/**
 * Command-line options of `greenkernel explore FILE`.
 *
 * Interface: EXPLORE_COMMAND.
 * Invariants: parsed by bin/entry.ts (strict: unknown flags and missing values are usage
 * errors, exit 2); loads nothing but bin/entry.ts, so `greenkernel help` stays cheap.
 */
import type { Command } from './entry.ts';

/** `greenkernel explore`. */
export const EXPLORE_COMMAND = {
  name: 'greenkernel explore',
  summary:
    "Runs a scenario module's threads under many schedules (random, PCT, bounded-preemption DFS); prints each failure with a schedule that --replay reproduces. Exit 1 when a run failed.",
  operands: 'FILE',
  flags: {
    runs: { type: 'string', value: 'N', help: 'schedules to try (default 1000)' },
    strategy: {
      type: 'string',
      value: 'NAME',
      help: 'random (default), pct or dfs',
    },
    seed: { type: 'string', value: 'S', help: 'first seed of random and pct (default 0)' },
    p: {
      type: 'string',
      value: 'P',
      help: 'random: preemption probability at each choice (default 0.25)',
    },
    depth: {
      type: 'string',
      value: 'D',
      help: 'pct: bug depth, d-1 priority change points (default 2)',
    },
    preemptions: {
      type: 'string',
      value: 'K',
      help: 'dfs: most preemptions per schedule (default 2)',
    },
    'max-steps': {
      type: 'string',
      value: 'N',
      help: 'dispatches per run before it fails as a livelock (default 10000)',
    },
    scenario: {
      type: 'string',
      value: 'NAME',
      help: "the module's export to explore (default: its default export, else `scenario`)",
    },
    replay: {
      type: 'string',
      value: 'SCHEDULE',
      help: "run one schedule (as printed: 'list:...', 'pct:...', 'random:...') and report it",
    },
    trace: {
      type: 'string',
      value: 'FILE',
      help: 'write the failing (or replayed) run as Chrome trace-event JSON (Perfetto, chrome://tracing)',
    },
    svg: {
      type: 'string',
      value: 'FILE',
      help: 'write the failing (or replayed) run as an SVG timeline',
    },
    quiet: { type: 'boolean', help: 'no progress bar' },
  },
} as const satisfies Command;
