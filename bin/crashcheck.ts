/**
 * `greenkernel crashcheck [WORKLOAD...]`: the file system's crash-consistency checker
 * (lib/fs/crashcheck.ts) from the command line, with a progress bar on a terminal, a summary,
 * and each failure as the command that replays it.
 *
 * Interface: main(argv) -> exit code (0 no failure, 1 failures, 2 usage).
 */
import {
  MAX_SUBSETS,
  WORKLOADS,
  checkState,
  crashcheck,
  runWorkload,
  type JournalMode,
} from '../lib/fs/index.ts';
import { parseCommand, runAsProgram, stop, usageError } from './entry.ts';
import { CRASHCHECK_COMMAND } from './fs-args.ts';

const MODES: readonly JournalMode[] = ['correct', 'no-barriers', 'commit-first'];

function int(text: string | undefined, fallback: number): number | null {
  if (text === undefined) return fallback;
  return /^[0-9]+$/.test(text) ? Number(text) : null;
}

/** A one-line progress bar, redrawn in place (only on a terminal). */
function progress(done: number, total: number, workload: string): void {
  if (done % 25 !== 0 && done !== total) return;
  const width = 30;
  const fill = Math.round((done / total) * width);
  process.stderr.write(
    `\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} ${workload.padEnd(20)}`,
  );
  if (done === total) process.stderr.write('\n');
}

/**
 * @example
 * process.exitCode = await main(['rename-over', '--subsets', '8']);
 */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(CRASHCHECK_COMMAND, argv);
  if ('exit' in parsed) return stop(parsed);
  const v = parsed.values;
  if (v.list === true) {
    console.log(Object.keys(WORKLOADS).join('\n'));
    return 0;
  }
  const names = parsed.operands.length > 0 ? parsed.operands : Object.keys(WORKLOADS);
  const unknown = names.filter((n) => !Object.hasOwn(WORKLOADS, n));
  if (unknown.length > 0)
    return stop(
      usageError(CRASHCHECK_COMMAND, `unknown workload ${unknown.join(', ')} (see --list)`),
    );
  const subsets = int(v.subsets, 16);
  if (subsets === null || subsets > MAX_SUBSETS)
    return stop(
      usageError(CRASHCHECK_COMMAND, `--subsets must be an integer in [0, ${MAX_SUBSETS}]`),
    );
  const seed = int(v.seed, 1);
  if (seed === null) return stop(usageError(CRASHCHECK_COMMAND, '--seed must be an integer'));
  const journal = (v.journal ?? 'correct') as JournalMode;
  if (!MODES.includes(journal))
    return stop(usageError(CRASHCHECK_COMMAND, `--journal must be one of ${MODES.join(', ')}`));
  if (v.prefix !== undefined || v.survivors !== undefined) {
    const prefix = int(v.prefix, -1);
    if (prefix === null || prefix < 0 || v.survivors === undefined || names.length !== 1)
      return stop(
        usageError(
          CRASHCHECK_COMMAND,
          'replaying one state takes one workload, --prefix N and --survivors',
        ),
      );
    if (!/^(none|[0-9]+(,[0-9]+)*)$/.test(v.survivors))
      return stop(usageError(CRASHCHECK_COMMAND, '--survivors is a list I,J,... or none'));
    const survivors = v.survivors === 'none' ? [] : v.survivors.split(',').map(Number);
    // The workload always runs with kernel seed 1 (crashcheck does the same); --seed picks subsets.
    const run = runWorkload(names[0]!, journal, 1, v.cache === true);
    const problems = checkState(run, prefix, survivors);
    console.log(problems.length === 0 ? 'state is consistent' : problems.join('\n'));
    return problems.length === 0 ? 0 : 1;
  }
  const t0 = performance.now();
  const summary = crashcheck({
    workloads: names,
    subsets,
    seed,
    journal,
    cache: v.cache === true,
    ...(process.stderr.isTTY && v.json !== true ? { onProgress: progress } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  if (v.json === true) {
    process.stdout.write(`${JSON.stringify({ journal, seconds, ...summary })}\n`);
  } else {
    for (const w of summary.workloads)
      console.log(
        `  ${w.name.padEnd(20)} ${String(w.writes).padStart(4)} writes ${String(w.states).padStart(6)} states`,
      );
    console.log(
      `crashcheck (journal ${journal}${v.cache === true ? ', over the cache' : ''}): ${summary.states} crash states, ${summary.distinct} distinct, ${summary.failures.length} failures in ${seconds.toFixed(1)} s (${Math.round(summary.states / seconds)} states/s)`,
    );
    for (const f of summary.failures) {
      console.log(`\nFAIL ${f.workload} prefix ${f.prefix} survivors [${f.survivors.join(',')}]`);
      for (const p of f.problems.slice(0, 5)) console.log(`  ${p}`);
      if (f.problems.length > 5) console.log(`  ... ${f.problems.length - 5} more`);
      console.log(`  replay: npx ${f.replay}`);
    }
  }
  return summary.failures.length === 0 ? 0 : 1;
}

runAsProgram(import.meta.url, main);
