/**
 * Native references: compiles the C programs of bench/native/ with `cc` into a temporary
 * directory at bench time, and runs them.
 *
 * Interface: buildNative(name) -> NativeProgram | { skipped }, runNative(program, args),
 * nativeCell(...), removeNativeBuilds().
 * Invariants: nothing is compiled when `cc` is missing (the caller prints the skip note); the
 * sources are found next to this module (bench/native/ under tsx) or, from compiled
 * dist/bench/, in the package's bench/native/; binaries live only in the temporary directory,
 * which removeNativeBuilds() deletes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Method } from './method.ts';
import type { NativeCell } from './types.ts';

/** The C programs in bench/native/. */
export type NativeName = 'coro' | 'pthread_pingpong';

export interface NativeProgram {
  readonly name: NativeName;
  readonly path: string;
}

let buildDir: string | null = null;

function sourceOf(name: NativeName): string | null {
  const candidates = [
    new URL(`./native/${name}.c`, import.meta.url),
    new URL(`../../bench/native/${name}.c`, import.meta.url),
  ];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  return null;
}

/**
 * Compiles `bench/native/NAME.c`; returns the program, or why it was skipped.
 *
 * @example
 * const coro = buildNative('coro');
 * if ('skipped' in coro) console.log(coro.skipped);
 */
export function buildNative(name: NativeName): NativeProgram | { skipped: string } {
  const probe = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0)
    return { skipped: `native ${name} skipped: no C compiler (cc) on PATH` };
  const source = sourceOf(name);
  if (source === null)
    return { skipped: `native ${name} skipped: bench/native/${name}.c not found` };
  if (buildDir === null) buildDir = mkdtempSync(join(tmpdir(), 'greenkernel-bench-'));
  const out = join(buildDir, name);
  const args = ['-O2', '-U_FORTIFY_SOURCE', '-D_FORTIFY_SOURCE=0', '-o', out, source];
  if (name === 'pthread_pingpong') args.push('-pthread');
  const cc = spawnSync('cc', args, { encoding: 'utf8' });
  if (cc.status !== 0)
    return {
      skipped: `native ${name} skipped: cc failed: ${(cc.stderr || String(cc.error)).trim().slice(0, 300)}`,
    };
  return { name, path: out };
}

/**
 * Runs a built program with `args`; returns its standard output (throws on failure).
 *
 * @example
 * runNative(coro, ['check', '10']); // 'ok 20\n'
 */
export function runNative(program: NativeProgram, args: string[], timeoutMs = 120_000): string {
  const r = spawnSync(program.path, args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0)
    throw new Error(
      `${program.name} ${args.join(' ')} failed (status ${r.status}): ${r.stdout}${r.stderr}`,
    );
  return r.stdout;
}

/**
 * A harness cell that runs `program` once per run: it warms up for `warmupMs`, then times
 * `reps` repetitions of `rounds` round trips. Checks the program's schedule first.
 *
 * @example
 * nativeCell(coro, 'yield-pingpong', 'c-setjmp', 500_000, 9, 200);
 */
export function nativeCell(
  program: NativeProgram,
  workload: string,
  contender: string,
  rounds: number,
  reps: number,
  warmupMs: number,
  note?: string,
): NativeCell {
  const check = runNative(program, ['check', '100']);
  if (!check.startsWith('ok 200'))
    throw new Error(`${program.name} does not do the work it claims: ${check.trim()}`);
  return {
    kind: 'native',
    workload,
    contender,
    unit: 'ns/switch',
    measure(): number[] {
      const out = runNative(program, [String(rounds), String(reps), String(warmupMs)]);
      const parsed = JSON.parse(out) as { switchesPerRep: number; samples: number[] };
      if (parsed.switchesPerRep !== 2 * rounds || parsed.samples.length !== reps)
        throw new Error(`${program.name}: unexpected output ${out}`);
      return parsed.samples;
    },
    ...(note !== undefined ? { note } : {}),
  };
}

/**
 * Deletes the temporary build directory, if any.
 *
 * @example
 * try { ... } finally { removeNativeBuilds(); }
 */
export function removeNativeBuilds(): void {
  if (buildDir !== null) rmSync(buildDir, { recursive: true, force: true });
  buildDir = null;
}

/**
 * The cell of a native program when `cc` can build it; otherwise null, with the reason added
 * to `notes`. One place for the build-or-skip rule every suite with a native contender follows.
 *
 * @example
 * const cell = nativeCellIfBuilt('coro', method, notes, 'yield-pingpong', 'c-setjmp', 500_000, 'native');
 * if (cell !== null) cells.push(cell);
 */
export function nativeCellIfBuilt(
  name: NativeName,
  method: Method,
  notes: string[],
  workload: string,
  contender: string,
  rounds: number,
  note: string,
): NativeCell | null {
  const program = buildNative(name);
  if ('skipped' in program) {
    notes.push(program.skipped);
    return null;
  }
  return nativeCell(
    program,
    workload,
    contender,
    rounds,
    method.samplesPerRun,
    method.nativeWarmupMs,
    note,
  );
}
