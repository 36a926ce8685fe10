/**
 * Short JavaScript stacks for greenkernel's errors: the user's frames, not the scheduler's.
 *
 * Interface: `shortStack(stack, maxFrames?)`, `MAX_STACK_FRAMES`.
 * Why: an error made by the runtime (a deadlock found in a lock hook, a stall found by the run
 * loop) is created ten frames deep in greenkernel's own modules; those frames say nothing to a
 * user, whose position is in the report the message carries. Kept: the message, then at most
 * `maxFrames` frames outside greenkernel's lib/ folder (and outside node's internals), in order.
 * When no frame is left, the first frame is kept, so a stack is never empty.
 * Invariant: the message part (every line before the trailing `    at ...` lines) is unchanged.
 */
import { fileURLToPath } from 'node:url';

/** Most JavaScript frames a greenkernel error's short stack keeps. */
export const MAX_STACK_FRAMES = 8;

const LIB_URL = new URL('..', import.meta.url).href; // lib/ (or dist/lib/), as a file: URL
// Built, frames may show either the compiled dist/lib/ or, through source maps (node's
// --enable-source-maps), the shipped sources in lib/: both are greenkernel's own.
const LIBS = [LIB_URL, LIB_URL.replace(/\/dist\/lib\/$/, '/lib/')].flatMap((url) => [
  url,
  fileURLToPath(url),
]);
const FRAME = /^\s+at /;

/**
 * `stack` without greenkernel's own frames, node's internals and native frames.
 *
 * @example
 * error.stack = shortStack(error.stack ?? '');
 */
export function shortStack(stack: string, maxFrames = MAX_STACK_FRAMES): string {
  const lines = stack.split('\n');
  let first = lines.length;
  while (first > 0 && FRAME.test(lines[first - 1]!)) first--;
  const frames = lines.slice(first);
  const kept = frames.filter((l) => !isInternal(l)).slice(0, maxFrames);
  if (kept.length === 0 && frames.length > 0) kept.push(frames[0]!);
  return [...lines.slice(0, first), ...kept].join('\n');
}

function isInternal(frame: string): boolean {
  return (
    LIBS.some((lib) => frame.includes(lib)) ||
    frame.includes('(node:') ||
    frame.includes(' node:') ||
    frame.endsWith('(<anonymous>)') ||
    frame.endsWith('(native)')
  );
}
