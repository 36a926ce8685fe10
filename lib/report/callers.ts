/**
 * The caller chain of an error thrown in a `call`ed subroutine. A thread's callers are
 * suspended generators, not JavaScript frames, so an error's own stack ends at the innermost
 * generator and the scheduler; this adds, once per error, where each caller of the throwing
 * frame waits for it (`yield* call(...)`), innermost first, as stack lines
 * `    at [thread#id] fn (file:line:column)` (mapped through source maps like every backtrace;
 * the stack's own frames in compiled .js are mapped too, even without --enable-source-maps).
 *
 * Interface: `appendCallerFrames(kernel, thread, error)` (REPORTER.callerFrames; the dispatcher
 * calls it while the callers are still suspended at their call).
 * Invariants: only `Error` objects with a writable string stack are changed, each at most once
 * (the first, deepest, throw has the whole chain); nothing when the kernel's backtraces are off;
 * at most MAX_FRAMES lines are added; never throws.
 */
import type { KernelCore as Kernel } from '../kernel/kernel.ts';
import type { Thread } from '../kernel/thread.ts';
import { locateFrames, type StackFrame } from './backtrace.ts';
import { reportBacktraces } from './report.ts';
import { mapStack } from './sourcemap.ts';

const annotated = new WeakSet<Error>();
/** A native resume frame (`fn.next (<anonymous>)`): where the scheduler ran the generator. */
const RESUME = /^\s+at .*\.(next|throw|return) \(<anonymous>\)$/;

/**
 * Adds the thread's caller frames to `error.stack`, right after the thrower's own frames.
 *
 * @example
 * kernel.reporter = { ...REPORTER, callerFrames: appendCallerFrames };
 */
export function appendCallerFrames(kernel: Kernel, t: Thread, error: unknown): void {
  if (!(error instanceof Error) || annotated.has(error) || !reportBacktraces(kernel)) return;
  try {
    annotated.add(error);
    if (typeof error.stack !== 'string') return;
    const stack = mapStack(error.stack);
    const frames = t.frames;
    const callers = locateFrames(frames.slice(0, frames.length - 1));
    if (callers.length === 0) return;
    const lines = stack.split('\n');
    let at = lines.findIndex((l) => RESUME.test(l));
    if (at < 0) at = lines.length;
    lines.splice(at, 0, ...callers.map((f) => callerLine(t, f)));
    error.stack = lines.join('\n');
  } catch {
    // a frozen error or an unreadable stack: leave it as it is
  }
}

function callerLine(t: Thread, f: StackFrame): string {
  const where =
    f.file === null
      ? (f.note ?? 'unknown location')
      : `${f.file}:${f.line ?? '?'}${f.column !== null ? `:${f.column}` : ''}`;
  return `    at [${t.name}#${t.id}] ${f.fn} (${where})`;
}
