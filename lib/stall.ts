/**
 * StallError and the thread dump: what run() reports when threads remain but nothing can ever
 * run again — no runnable thread, no armed timer, no host call in flight.
 *
 * The dump lists, per thread, its name, kind, priority, state, what it waits for (and who owns
 * that), and what it holds. lib/report.ts builds the full report (backtraces, cycles, JSON, DOT).
 */
import { GreenkernelError } from './errors.ts';
import type { Kernel } from './kernel.ts';
import type { Thread } from './thread.ts';

/** Nothing can run, nothing is pending, and threads remain blocked. */
export class StallError extends GreenkernelError {
  /** The blocked threads, in id order. */
  readonly blocked: readonly Thread[];
  /** The kernel's seed, to reproduce the run. */
  readonly seed: number;
  /** The kernel's step count when the stall was found. */
  readonly step: number;
  constructor(kernel: Kernel, blocked: readonly Thread[]) {
    super(
      'ESTALL',
      `${kernel.name}: stall at step ${kernel.steps}, time ${kernel.now()} ms (seed ${kernel.seed}): ` +
        `${blocked.length} thread(s) blocked, nothing runnable, no timer, no host call in flight\n` +
        describeThreads(kernel, blocked),
    );
    this.blocked = blocked;
    this.seed = kernel.seed;
    this.step = kernel.steps;
  }
}

/**
 * One paragraph per thread: `thread NAME#ID [kind, prio P, state]`, then what it waits for
 * and what it holds.
 *
 * @example
 * console.log(describeThreads(kernel, kernel.threads));
 */
export function describeThreads(kernel: Kernel, threads: readonly Thread[]): string {
  return threads.map((t) => describeThread(kernel, t)).join('\n');
}

function describeThread(kernel: Kernel, t: Thread): string {
  const prio = t.priority === t.basePriority ? `prio ${t.priority}` : `prio ${t.priority} (base ${t.basePriority})`;
  const lines = [`thread ${t.name}#${t.id} [${t.kind}${t.daemon ? ' daemon' : ''}, ${prio}, ${t.stateName}]`];
  const w = t.waitingFor;
  if (w !== null) {
    const since = kernel.now() - w.since;
    if (w.resource === null) lines.push(`  waits: ${w.kind} (${since} ms)`);
    else {
      const owners = w.resource.owners();
      const by = owners.length === 0 ? '' : `, held by ${owners.map((o) => `${o.name}#${o.id}`).join(', ')}`;
      lines.push(`  waits: ${w.kind} ${w.resource.name}${by} (${since} ms)`);
    }
  }
  const held = t.holding;
  if (held.length > 0) lines.push(`  holds: ${held.map((r) => `${r.resourceKind} ${r.name}`).join(', ')}`);
  return lines.join('\n');
}
