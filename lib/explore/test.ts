/**
 * exploreTest: schedule exploration as one line of a test. Works with ava (and any runner whose
 * test context has pass/fail/log); imports no test framework.
 *
 * Interface: exploreTest(scenario, options) -> (t) => void, ExploreTestOptions.
 * Invariants: a failure fails the test with the failure's kind and first line, the schedule,
 * the shrunk schedule, and the command that replays it from the command line (when `file`
 * names the scenario's module); a pass logs the runs, the distinct schedules and runs/s.
 */
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { explore, type ExploreOptions, type ExploreResult } from './explore.ts';
import type { Scenario } from './run.ts';

/** The part of a test context exploreTest uses (ava's ExecutionContext has it). */
export interface TestContext {
  pass(message?: string): void;
  fail(message?: string): void;
  log(...values: unknown[]): void;
}

export interface ExploreTestOptions extends ExploreOptions {
  /** The module that exports the scenario (`import.meta.url` or a path), for the replay line. */
  readonly file?: string;
  /** Its export name when not `default`. */
  readonly exportName?: string;
}

/**
 * A test implementation that explores `scenario` and fails with a replayable schedule.
 *
 * @example
 * test('transfers never overdraw', exploreTest(bank, { runs: 500, strategy: 'pct', file: import.meta.url }));
 */
export function exploreTest(
  scenario: Scenario,
  options: ExploreTestOptions = {},
): (t: TestContext) => void {
  return (t) => {
    const result = explore(scenario, options);
    const failure = result.failures[0];
    if (failure === undefined) {
      t.pass();
      t.log(summaryLine(result));
      return;
    }
    t.fail(failureText(result, options));
  };
}

function summaryLine(r: ExploreResult): string {
  return `${r.runs} runs (${r.strategy}), ${r.distinct} distinct schedules, ${r.failures.length} failure(s), ${Math.round(r.runsPerSecond)} runs/s`;
}

function failureText(result: ExploreResult, options: ExploreTestOptions): string {
  const f = result.failures[0]!;
  const schedule = f.shrunk?.schedule ?? f.schedule;
  const lines = [
    `${f.kind} in run ${f.run} of ${result.runs} (${result.strategy}): ${f.message.split('\n')[0]}`,
    `  schedule: ${f.schedule}  (${f.steps} steps, ${f.preemptions} preemption(s))`,
  ];
  if (f.shrunk !== null)
    lines.push(
      `  shrunk:   ${f.shrunk.schedule}  (${f.shrunk.steps} steps, ${f.shrunk.preemptions} preemption(s))`,
    );
  if (options.file !== undefined) {
    const path = options.file.startsWith('file:') ? fileURLToPath(options.file) : options.file;
    const name = options.exportName === undefined ? '' : ` --scenario ${options.exportName}`;
    lines.push(
      `  replay:   npx greenkernel explore ${relative(process.cwd(), path)}${name} --replay '${schedule}'`,
    );
  } else lines.push(`  replay:   replay(scenario, '${schedule}')`);
  return lines.join('\n');
}
