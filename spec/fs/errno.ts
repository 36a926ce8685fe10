/**
 * The errno a file-system call ends with, for the spec/fs files (not a test file: the ava glob
 * only matches *.test.ts).
 *
 * Interface: `yield* errno(() => fs.mkdir('/a'))` -> 'ok' or the FsError's code; any other
 * error is rethrown, so a crash of the driver is never mistaken for a refusal.
 */
import type { Operation, Routine } from '../../lib/index.ts';
import { FsError } from '../../lib/fs/index.ts';

/**
 * Runs `op` and returns 'ok', or the code of the FsError it threw.
 *
 * @example
 * t.is(yield* errno(() => fs.rmdir('/')), 'EBUSY');
 */
export function* errno(op: () => Operation<unknown>): Routine<string> {
  try {
    yield* op();
    return 'ok';
  } catch (error) {
    if (error instanceof FsError) return error.code;
    throw error;
  }
}
