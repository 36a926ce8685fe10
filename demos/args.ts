/**
 * Command-line options of the demos: `greenkernel demo`, `npm run demo`, and one demo run as
 * its own program (`npx tsx demos/NAME.ts`).
 *
 * Interface: DEMO_COMMAND, OUTPUT_FLAGS, demoCommand(file) (one demo alone),
 * outputTargets(values, command) -> { json, dot } | Stop.
 * Invariants: parsed by bin/entry.ts (strict: an unknown flag is a usage error, exit 2);
 * `--trace FILE` records the demos' kernels and writes them as Chrome trace-event JSON;
 * `--json FILE` and `--dot FILE` write machine output to FILE, `-` meaning stdout, and then the
 * prose goes to stderr so stdout is exactly one JSON document or the DOT graphs; only one of
 * them may take stdout. Loads nothing but bin/entry.ts, so `greenkernel help` stays cheap.
 */
import { usageError, type Command, type FlagValues, type Stop } from '../bin/entry.ts';

/** The flags every way of running demos takes. */
export const OUTPUT_FLAGS = {
  json: {
    type: 'string',
    value: 'FILE',
    help: 'write every report as one JSON document to FILE (- for stdout: pipe it to jq)',
  },
  dot: {
    type: 'string',
    value: 'FILE',
    help: "write each report's graph as Graphviz DOT to FILE (- for stdout: pipe it to dot -Tsvg)",
  },
  trace: {
    type: 'string',
    value: 'FILE',
    help: "write the demos' runs as Chrome trace-event JSON to FILE (open it in https://ui.perfetto.dev)",
  },
} as const;

/** `greenkernel demo`. */
export const DEMO_COMMAND = {
  name: 'greenkernel demo',
  summary:
    'Runs the deadlock-detection demos (all, or those named); exit 0 when each behaved as described.',
  operands: '[name...]',
  flags: {
    list: { type: 'boolean', help: 'list the demos (name and title) and exit' },
    ...OUTPUT_FLAGS,
  },
} as const satisfies Command;

/**
 * The command of one demo run as its own program: the output flags, no operands.
 *
 * @example
 * demoCommand('demos/ab-ba.ts').name; // 'npx tsx demos/ab-ba.ts'
 */
export function demoCommand(file: string): Command<typeof OUTPUT_FLAGS> {
  return { name: `npx tsx ${file}`, summary: 'Runs this demo alone.', flags: OUTPUT_FLAGS };
}

/** Where machine output goes: a file name, '-' for stdout, or null for none. */
export interface OutputTargets {
  readonly json: string | null;
  readonly dot: string | null;
  /** A file for the Chrome trace-event JSON of the runs, or null. */
  readonly trace?: string | null;
}

/**
 * The output targets of parsed flags; refuses two formats on stdout at once.
 *
 * @example
 * outputTargets({ json: '-' }, DEMO_COMMAND); // { json: '-', dot: null }
 */
export function outputTargets(
  values: FlagValues<typeof OUTPUT_FLAGS>,
  command: Command,
): OutputTargets | Stop {
  const json = values.json ?? null;
  const dot = values.dot ?? null;
  if (json === '-' && dot === '-')
    return usageError(
      command,
      'only one of --json and --dot can write to stdout (-); write the other to a file',
    );
  return { json, dot, trace: values.trace ?? null };
}
