/**
 * `greenkernel explore FILE`: explores the scenario a module exports, or replays one schedule.
 *
 * Interface: main(argv) -> exit code (0: no run failed, or the replayed schedule passed;
 * 1: a run failed; 2: a usage error — bad flags, an unreadable module, no scenario in it).
 * Invariants: the summary (runs, distinct schedules, failures, runs/s) and the failures go to
 * stdout; the progress bar goes to stderr, and only when stderr is a TTY; every failure line
 * names a schedule that `--replay` reproduces exactly; --trace and --svg write the first
 * failure (shrunk), or the replayed run.
 */
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  chromeTraceOf,
  explore,
  recordRun,
  svgOf,
  type ExploreOptions,
  type ExploreResult,
  type Scenario,
} from '../lib/explore/index.ts';
import { GreenkernelError } from '../lib/index.ts';
import { parseCommand, runAsProgram, stop, usageError } from './entry.ts';
import { EXPLORE_COMMAND } from './explore-args.ts';

const BAR = 30;

/**
 * Runs `greenkernel explore` with `argv` (after the verb).
 *
 * @example
 * process.exitCode = await main(['demos/explore-bank.ts', '--runs', '500', '--strategy', 'pct']);
 */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(EXPLORE_COMMAND, argv);
  if ('exit' in parsed) return stop(parsed);
  const v = parsed.values;
  if (parsed.operands.length !== 1)
    return stop(usageError(EXPLORE_COMMAND, 'give exactly one scenario module FILE'));
  const file = parsed.operands[0]!;
  const numbers: Record<string, number | undefined> = {};
  for (const name of ['runs', 'seed', 'p', 'depth', 'preemptions', 'max-steps'] as const) {
    const text = v[name];
    if (text === undefined) continue;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n))
      return stop(usageError(EXPLORE_COMMAND, `--${name} takes a number, got '${text}'`));
    numbers[name] = n;
  }
  const strategy = v.strategy ?? 'random';
  if (strategy !== 'random' && strategy !== 'pct' && strategy !== 'dfs')
    return stop(usageError(EXPLORE_COMMAND, `--strategy is random, pct or dfs, got '${strategy}'`));
  let scenario: Scenario;
  try {
    scenario = await loadScenario(file, v.scenario);
  } catch (error) {
    return stop(
      usageError(EXPLORE_COMMAND, error instanceof Error ? error.message : String(error)),
    );
  }
  const runOptions = numbers['max-steps'] === undefined ? {} : { maxSteps: numbers['max-steps'] };
  const replayLine = (schedule: string): string =>
    `npx greenkernel explore ${relative(process.cwd(), resolve(file)) || file}${v.scenario === undefined ? '' : ` --scenario ${v.scenario}`} --replay '${schedule}'`;
  try {
    if (v.replay !== undefined) {
      const recorded = recordRun(scenario, v.replay, runOptions);
      const run = recorded.run;
      writeArtifacts(v.trace, v.svg, recorded, `${file} ${v.replay}`);
      if (run.failure === null) {
        console.log(
          `replayed ${v.replay}: passed (${run.steps} steps, ${run.preemptions} preemption(s))`,
        );
        return 0;
      }
      const message =
        run.failure.error instanceof Error ? run.failure.error.message : String(run.failure.error);
      console.log(
        `replayed ${v.replay}: ${run.failure.kind} (${run.steps} steps, ${run.preemptions} preemption(s))`,
      );
      console.log(message);
      return 1;
    }
    const tty = v.quiet !== true && process.stderr.isTTY === true;
    const options: ExploreOptions = {
      ...runOptions,
      strategy,
      ...(numbers.runs !== undefined ? { runs: numbers.runs } : {}),
      ...(numbers.seed !== undefined ? { seed: numbers.seed } : {}),
      ...(numbers.p !== undefined ? { p: numbers.p } : {}),
      ...(numbers.depth !== undefined ? { depth: numbers.depth } : {}),
      ...(numbers.preemptions !== undefined ? { preemptions: numbers.preemptions } : {}),
      ...(tty ? { onRun: progress() } : {}),
    };
    const result = explore(scenario, options);
    if (tty) process.stderr.write('\r\x1b[K');
    console.log(summary(file, result));
    const f = result.failures[0];
    if (f === undefined) {
      if (v.trace !== undefined || v.svg !== undefined)
        console.log('no failure: no trace or timeline written');
      return 0;
    }
    const schedule = f.shrunk?.schedule ?? f.schedule;
    console.log(`FAIL ${f.kind} in run ${f.run}: ${f.message.split('\n')[0]}`);
    console.log(`  schedule: ${f.schedule}  (${f.steps} steps, ${f.preemptions} preemption(s))`);
    if (f.shrunk !== null)
      console.log(
        `  shrunk:   ${f.shrunk.schedule}  (${f.shrunk.steps} steps, ${f.shrunk.preemptions} preemption(s))`,
      );
    console.log(`  replay:   ${replayLine(schedule)}`);
    writeArtifacts(
      v.trace,
      v.svg,
      recordRun(scenario, schedule, runOptions),
      `${file}: ${f.kind} (${schedule})`,
    );
    return 1;
  } catch (error) {
    if (error instanceof GreenkernelError && error.code === 'EINVAL') {
      return stop(usageError(EXPLORE_COMMAND, error.message));
    }
    throw error;
  }
}

function writeArtifacts(
  trace: string | undefined,
  svg: string | undefined,
  recorded: ReturnType<typeof recordRun>,
  title: string,
): void {
  if (trace !== undefined) {
    writeFileSync(trace, JSON.stringify(chromeTraceOf(recorded, title)) + '\n');
    console.log(`  trace:    ${trace} (Chrome trace-event JSON: open in https://ui.perfetto.dev)`);
  }
  if (svg !== undefined) {
    writeFileSync(svg, svgOf(recorded, title));
    console.log(`  timeline: ${svg}`);
  }
}

function summary(file: string, r: ExploreResult): string {
  const extra =
    r.strategy === 'dfs'
      ? r.exhausted
        ? ', every schedule within the bound'
        : ', bound not exhausted'
      : '';
  return `explored ${file} (${r.strategy}): ${r.runs} runs, ${r.distinct} distinct schedules, ${r.failures.length} failure(s), ${Math.round(r.runsPerSecond)} runs/s${extra}`;
}

function progress(): (done: number, total: number, failures: number) => void {
  let shown = -1;
  return (done, total, failures) => {
    const filled = Math.floor((done / total) * BAR);
    if (filled === shown && done !== total && done % 97 !== 0) return;
    shown = filled;
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${done}/${total} runs, ${failures} failure(s)`,
    );
  };
}

async function loadScenario(file: string, name: string | undefined): Promise<Scenario> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `cannot load ${file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
  const pick = name ?? (typeof module.default === 'function' ? 'default' : 'scenario');
  const scenario = module[pick];
  if (typeof scenario !== 'function') {
    const functions = Object.keys(module).filter((k) => typeof module[k] === 'function');
    throw new Error(
      `${file} has no scenario export '${pick}' (a function (kernel) => checks | void); its functions: ${functions.join(', ') || 'none'}`,
    );
  }
  return scenario as Scenario;
}

runAsProgram(import.meta.url, main);
