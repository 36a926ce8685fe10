/**
 * Small helpers shared by the spec files (not a test file: the ava glob only matches *.test.ts).
 */
import type { ExecutionContext } from 'ava';
import { GreenkernelError, type ErrorCode, type Routine, type Yielded } from '../../lib/index.ts';

/** What a routine ended with: its value, or the error it threw. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `body` as a subroutine (plain `yield*`) and returns how it ended, so a thread can record
 * an expected error without try/catch noise.
 */
export function* settle<T>(
  body: () => { [Symbol.iterator](): Iterator<Yielded, T, unknown> },
): Routine<Outcome<T>> {
  try {
    return { ok: true, value: yield* body() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Asserts that `error` is an instance of `cls` with the documented `code`; returns it typed. */
export function expectError<E extends GreenkernelError>(
  t: ExecutionContext,
  error: unknown,
  cls: abstract new (...args: never[]) => E,
  code: ErrorCode,
): E {
  t.true(error instanceof cls, `expected ${cls.name}, got ${String(error)}`);
  t.true(error instanceof GreenkernelError, 'every runtime error is a GreenkernelError');
  t.is((error as E).code, code);
  return error as E;
}

/** Asserts that an outcome is a failure with `cls` and `code`; returns the error. */
export function expectFailure<E extends GreenkernelError>(
  t: ExecutionContext,
  outcome: Outcome<unknown> | undefined,
  cls: abstract new (...args: never[]) => E,
  code: ErrorCode,
): E {
  t.truthy(outcome, 'the thread recorded an outcome');
  t.false(outcome!.ok, `expected a ${cls.name}, the call succeeded`);
  return expectError(t, outcome!.ok ? undefined : outcome!.error, cls, code);
}

/** `n` bare yields (give up the processor n times). */
export function* yields(n: number): Routine<void> {
  for (let i = 0; i < n; i++) yield;
}

/** Resolves after `ms` of real time, with `value`. */
export function later<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

/**
 * Races `p` against a generous real-time guard, so a runtime that hangs fails the test with a
 * clear message instead of hitting ava's global timeout. Not a timing assertion: the guard is far
 * above anything the program needs.
 */
export function withHangGuard<T>(p: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} did not settle`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}
