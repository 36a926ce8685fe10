/**
 * The thread word: a thread's state, operation state, flags, priorities and wait kind, packed
 * into one small integer so that a block or a wake is one write and a thread stays small.
 *
 * Interface: the S_* states, the F_* flag bits, and the field masks and shifts Thread uses.
 * Invariant (checked at load): every field holds its whole range and the word fits a Smi.
 */
import { assert } from './assert.ts';
import { PRIORITY_LEVELS } from './queue.ts';
import { MAX_WAIT_KINDS, WAIT_KIND_BITS } from './waitkind.ts';

// The state field. There is no RUNNING value: the running thread stays RUNNABLE and is
// cpu.current (two fewer writes per switch); value 1 is unused.
export const S_RUNNABLE = 0;
export const S_BLOCKED = 2;
export const S_EXITED = 3;

/** Bits of Thread.flags. */
export const F_KERNEL = 1;
export const F_DAEMON = 2;
export const F_KILL_PENDING = 4; // kill() was called; the thread unwinds when it next runs
export const F_UNWINDING = 8; // frames are being returned from (finally blocks run)
export const F_RETURNED = 16;
export const F_THREW = 32;
export const F_KILLED = 64;
/**
 * Set while the thread waits for (or has just been handed) a mutex it must re-take after a
 * condition-variable wait: killed then, it unwinds holding the mutex, as a cancelled pthread
 * does. Cleared when the thread blocks again or consumes its operation's result.
 */
export const F_REACQUIRE = 128;

// The state word packs five small fields into one Smi (28 bits; a Smi holds 31), to keep a
// thread small:
//   bits 0-1 state · 2-4 opState · 5-12 flags · 13-17 priority · 18-22 basePriority · 23-27 waitKind
export const STATE_MASK = 0x3;
export const OP_SHIFT = 2;
export const OP_MASK = 0x7 << OP_SHIFT;
export const FLAGS_SHIFT = 5;
export const FLAGS_MASK = 0xff << FLAGS_SHIFT;
export const PRIO_SHIFT = 13;
export const PRIO_MASK = 0x1f << PRIO_SHIFT;
export const BASE_SHIFT = 18;
export const WAIT_SHIFT = 23;
export const WAIT_MASK = MAX_WAIT_KINDS << WAIT_SHIFT;
export const REACQUIRE_BIT = F_REACQUIRE << FLAGS_SHIFT;
// The fields must hold what is put in them, and fit a Smi: checked once, at load.
assert(
  (PRIO_MASK >>> PRIO_SHIFT) + 1 === PRIORITY_LEVELS,
  'thread word: the priority fields hold PRIORITY_LEVELS levels',
);
assert(
  BASE_SHIFT - PRIO_SHIFT === 5 && WAIT_SHIFT - BASE_SHIFT === 5,
  'thread word: the two priority fields do not overlap',
);
assert(
  WAIT_MASK >>> WAIT_SHIFT === MAX_WAIT_KINDS,
  'thread word: the wait field holds every wait-kind id',
);
assert(WAIT_SHIFT + WAIT_KIND_BITS <= 30, 'thread word: fits a Smi');
assert(
  F_REACQUIRE < 1 << 8 && FLAGS_MASK >>> FLAGS_SHIFT === 0xff,
  'thread word: the flags fit their 8 bits',
);
