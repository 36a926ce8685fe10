/**
 * Invariant checks. A failed assertion is a bug in greenkernel itself (not in the user's program,
 * which gets typed errors from errors.ts): it fails loudly, at once, with what was expected.
 */

/** Raised when one of greenkernel's own invariants does not hold. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(`greenkernel invariant violated: ${message}`);
    this.name = 'InvariantError';
  }
}

/**
 * Asserts an invariant. The message is a constant string so that a passing check allocates nothing.
 *
 * @example
 * assert(queue.length >= 0, 'queue length is never negative');
 */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}
