/**
 * Where the benchmarks write: found from the package, not from the working directory.
 *
 * Interface: PACKAGE_ROOT, RUNS_DIR, SAVED_DIR.
 * Invariants: PACKAGE_ROOT is the nearest directory above this module holding a package.json
 * (the clone under tsx, or the installed package when compiled to dist/bench/); RUNS_DIR
 * (bench/out) is ignored by git and is where every run writes unless told otherwise;
 * SAVED_DIR (bench/results) holds the committed results, written only by `--save`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRootAbove(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return dir;
  }
}

/** The package's root directory. */
export const PACKAGE_ROOT: string = packageRootAbove(dirname(fileURLToPath(import.meta.url)));

/** Where runs write by default: bench/out, ignored by git. */
export const RUNS_DIR: string = join(PACKAGE_ROOT, 'bench', 'out');

/** The committed results: bench/results, written only when asked (`--save`). */
export const SAVED_DIR: string = join(PACKAGE_ROOT, 'bench', 'results');
