/**
 * Runs one suite in a child process of its own and reads back its output.
 *
 * Interface: runSuiteInChild(suite, options) -> { output } | { error }.
 * Invariants: the child is `process.execPath` with this process's `execArgv` (so it works under
 * tsx as with compiled .js), the suite's own node flags and any extra ones, running the
 * run-suite module (found through its own import.meta.url, .ts or .js alike); it never inherits stdin; it is
 * killed after `timeoutMs`; its output file lives in a fresh temporary directory, removed after.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_SUITE_URL } from './run-suite.ts';
import type { Suite } from './suites/index.ts';
import type { SuiteOutput } from './types.ts';

export interface ChildOptions {
  readonly quick: boolean;
  readonly quiet: boolean;
  readonly extraNodeFlags?: readonly string[];
  readonly timeoutMs: number;
}

/**
 * Runs `suite` in a child node process and returns what it wrote, or why it failed.
 *
 * @example
 * const r = runSuiteInChild(suiteByName('yield')!, { quick: true, quiet: true, timeoutMs: 60_000 });
 * if ('output' in r) console.log(r.output.cells.length);
 */
export function runSuiteInChild(
  suite: Suite,
  options: ChildOptions,
): { output: SuiteOutput } | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'greenkernel-suite-'));
  const out = join(dir, `${suite.name}.json`);
  const args = [
    ...process.execArgv,
    ...suite.nodeFlags,
    ...(options.extraNodeFlags ?? []),
    fileURLToPath(RUN_SUITE_URL),
    '--suite',
    suite.name,
    '--out',
    out,
    ...(options.quick ? ['--quick'] : []),
  ];
  try {
    const r = spawnSync(process.execPath, args, {
      stdio: ['ignore', 'pipe', options.quiet ? 'pipe' : 'inherit'],
      timeout: options.timeoutMs,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error !== undefined) return { error: `${suite.name}: ${r.error.message}` };
    if (r.status !== 0) {
      const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-6).join(' | ');
      const how = r.signal !== null ? `killed by ${r.signal}` : `exit status ${r.status}`;
      return { error: `${suite.name}: child ${how}${tail === '' ? '' : `: ${tail}`}` };
    }
    return { output: JSON.parse(readFileSync(out, 'utf8')) as SuiteOutput };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
