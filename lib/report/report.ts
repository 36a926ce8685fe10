/**
 * Reports for people and tools: a Go-style thread dump (text), the same data as JSON, and the
 * wait-for graph as Graphviz DOT.
 *
 * Interface: `buildReport(kernel, spec)` → Report (plain data, JSON-ready); `formatReport`,
 * `reportToDot`, `waitGraphDot(kernel)`; `setReportOptions(kernel, { backtraces })`.
 * A report names, per thread: name, id, kind, priority, state, what it waits for (and who owns
 * that, since when), what it holds, and its backtrace; plus the cycle(s), the seed and the step.
 * Invariants: building a report never changes the kernel; the same run (program and seed)
 * gives the same report, byte for byte; at most MAX_REPORT_THREADS threads are listed and at
 * most MAX_BACKTRACES of them get a backtrace (the rest are counted), so a report is bounded.
 */
import { backtrace, backtraceSupport, formatFrames, type StackFrame } from './backtrace.ts';
import { describeError } from '../kernel/errors.ts';
import { formatMs } from '../kernel/ms.ts';
import { KernelSlot, type KernelCore as Kernel } from '../kernel/kernel.ts';
import type { Thread, Waitable } from '../kernel/thread.ts';
import { waitKindId, waitKindSpec, type WaitKind, type WaitKindSpec } from '../kernel/waitkind.ts';
import { findCycles, waitGraph, type Cycle } from '../detect/waitgraph.ts';
import type { LockOrderReport } from '../detect/lockdep.ts';

export type { LockOrderReport, OrderEdgeReport } from '../detect/lockdep.ts';

export const MAX_REPORT_THREADS = 1000;
export const MAX_BACKTRACES = 100;

/** What the report is about. */
export type ReportKind = 'deadlock' | 'stall' | 'host-stall' | 'lock-order' | 'dump' | 'failures';
export interface ThreadRef {
  readonly id: number;
  readonly name: string;
}
/** A resource; `id` numbers resources within one report (names need not be unique). */
export interface ResourceRef {
  readonly id: number;
  readonly kind: string;
  readonly name: string;
}
export interface WaitReport {
  readonly kind: WaitKind;
  readonly resource: ResourceRef | null;
  readonly owners: readonly ThreadRef[];
  readonly since: number;
  readonly forMs: number;
  /** A timer (timeout) will end this wait. */
  readonly timed: boolean;
  /** Why nothing will end it (stall reports), e.g. a lost wakeup. */
  readonly hint?: string;
}
export interface ThreadReport extends ThreadRef {
  readonly kind: 'kernel' | 'user';
  readonly daemon: boolean;
  readonly priority: number;
  readonly basePriority: number;
  readonly state: string;
  readonly waits: WaitReport | null;
  readonly holds: readonly ResourceRef[];
  /** Innermost first; empty when backtraces are off or over the limit. */
  readonly backtrace: readonly StackFrame[];
}
export interface CycleStepReport {
  readonly thread: ThreadRef;
  readonly kind: WaitKind;
  readonly waitsFor: ResourceRef;
  readonly heldBy: ThreadRef;
}
/** A thread that failed with nobody joining it. */
export interface FailureReport {
  readonly thread: ThreadRef;
  /** `Name: first line of the message`. */
  readonly error: string;
}
export interface Report {
  readonly kind: ReportKind;
  readonly title: string;
  readonly kernel: string;
  readonly seed: number;
  readonly step: number;
  readonly time: number;
  readonly cycles: readonly (readonly CycleStepReport[])[];
  readonly threads: readonly ThreadReport[];
  readonly lockOrder?: LockOrderReport;
  /** Threads that failed with nobody joining them (stall and failures reports; else empty). */
  readonly failures: readonly FailureReport[];
  readonly notes: readonly string[];
  readonly backtraces: 'inspector' | 'names-only' | 'off';
}

/** What to put in a report. */
export interface ReportSpec {
  kind: ReportKind;
  /** Threads to list (default: every live thread), cycle members first. */
  threads?: readonly Thread[];
  /** Cycles to show (default for 'stall' and 'dump': those found in the wait-for graph). */
  cycles?: readonly Cycle[];
  /** The running thread about to wait (a hook sees it before the core records the wait). */
  pending?: { thread: Thread; resource: Waitable; kind: WaitKind };
  lockOrder?: LockOrderReport;
  /** Failed threads nobody joined (the kernel's list, for stall and failures reports). */
  failures?: readonly { thread: Thread; error: unknown }[];
  /** Failures past the kernel's bound: counted, not kept. */
  failuresDropped?: number;
  notes?: readonly string[];
  /** Override the kernel's setting (see setReportOptions). */
  backtraces?: boolean;
}

/** Each kernel's report settings. */
const OPTIONS = new KernelSlot<{ backtraces: boolean }>('report options');

/**
 * Per-kernel report settings (the detector sets them from DetectionOptions).
 *
 * @example
 * setReportOptions(kernel, { backtraces: false }); // faster reports, no file:line
 */
export function setReportOptions(kernel: Kernel, o: { backtraces: boolean }): void {
  kernel.setExtension(OPTIONS, o);
}

/**
 * Whether reports (and caller frames added to errors) on `kernel` locate frames.
 *
 * @example
 * if (reportBacktraces(kernel)) console.log(backtrace(thread));
 */
export function reportBacktraces(kernel: Kernel): boolean {
  return kernel.extension(OPTIONS)?.backtraces ?? true;
}

/**
 * Builds a report of `kernel` now. Cold path: backtraces cost about 0.1-0.3 ms per frame.
 *
 * @example
 * const r = buildReport(kernel, { kind: 'dump' });
 * console.log(formatReport(r)); fs.writeFileSync('r.json', JSON.stringify(r));
 */
export function buildReport(kernel: Kernel, spec: ReportSpec): Report {
  const wantBacktraces = spec.backtraces ?? kernel.extension(OPTIONS)?.backtraces ?? true;
  const graph = waitGraph(kernel);
  const stall = spec.kind === 'stall' || spec.kind === 'host-stall';
  const cycles = spec.cycles ?? (stall || spec.kind === 'dump' ? findCycles(graph) : []);
  const pending = spec.pending;
  const ids = new Map<Waitable, number>();
  const ref = (r: Waitable): ResourceRef => {
    let id = ids.get(r);
    if (id === undefined) ids.set(r, (id = ids.size));
    return { id, kind: r.resourceKind, name: r.name };
  };
  const tref = (t: Thread): ThreadRef => ({ id: t.id, name: t.name });
  const inCycles: Thread[] = [];
  for (const c of cycles)
    for (const s of c) if (!inCycles.includes(s.thread)) inCycles.push(s.thread);
  const listed = orderThreads(spec.threads ?? graph.threads, inCycles);
  const now = kernel.now();
  const threads: ThreadReport[] = [];
  let traced = 0;
  for (const t of listed.slice(0, MAX_REPORT_THREADS)) {
    const isPending = pending !== undefined && pending.thread === t;
    let waits: WaitReport | null = null;
    const resource = isPending ? pending.resource : t.waitOn;
    const kind = isPending ? pending.kind : t.waitKind;
    if (kind !== null) {
      const owners = resource === null ? [] : resource.owners();
      const since = isPending ? now : t.waitSince;
      const hint = !stall
        ? undefined
        : (stallHint(kind, resource, owners) ??
          (spec.kind === 'host-stall' ? HOST_STALL_HINTS[kind] : undefined));
      waits = {
        kind,
        resource: resource === null ? null : ref(resource),
        owners: owners.map(tref),
        since,
        forMs: now - since,
        timed: !isPending && t.heapIndex >= 0,
        ...(hint !== undefined ? { hint } : {}),
      };
    }
    const holds = t.holding.map(ref);
    const bt = wantBacktraces && traced < MAX_BACKTRACES ? backtrace(t) : [];
    if (wantBacktraces) traced++;
    threads.push({
      id: t.id,
      name: t.name,
      kind: t.kind,
      daemon: t.daemon,
      priority: t.priority,
      basePriority: t.basePriority,
      state: isPending ? 'blocking' : t.stateName,
      waits,
      holds,
      backtrace: bt,
    });
  }
  const notes = [...(spec.notes ?? [])];
  if (spec.kind === 'dump' || spec.kind === 'host-stall') notes.push(...hostNotes(kernel));
  if ((spec.failuresDropped ?? 0) > 0)
    notes.push(`${spec.failuresDropped} more failed thread(s) not kept (MAX_UNJOINED_FAILURES)`);
  if (listed.length > MAX_REPORT_THREADS)
    notes.push(`${listed.length - MAX_REPORT_THREADS} more thread(s) not listed`);
  if (wantBacktraces && traced > MAX_BACKTRACES)
    notes.push(`backtraces shown for the first ${MAX_BACKTRACES} threads only`);
  const support = backtraceSupport();
  if (wantBacktraces && support.method !== 'inspector') notes.push(support.reason);
  const cycleReports = cycles.map((c) =>
    c.map((s, i) => ({
      thread: tref(s.thread),
      kind: s.kind,
      waitsFor: ref(s.resource),
      heldBy: tref(c[(i + 1) % c.length]!.thread),
    })),
  );
  return {
    kind: spec.kind,
    title: titleOf(spec, kernel, cycles, threads),
    kernel: kernel.name,
    seed: kernel.seed,
    step: kernel.steps,
    time: now,
    cycles: cycleReports,
    threads,
    ...(spec.lockOrder !== undefined ? { lockOrder: spec.lockOrder } : {}),
    failures: (spec.failures ?? []).map((f) => ({
      thread: tref(f.thread),
      error: describeError(f.error),
    })),
    notes,
    backtraces: wantBacktraces ? support.method : 'off',
  };
}

function orderThreads(threads: readonly Thread[], first: readonly Thread[]): Thread[] {
  const rest = threads.filter((t) => !first.includes(t)).sort((a, b) => a.id - b.id);
  return [...first, ...rest];
}

function titleOf(
  spec: ReportSpec,
  kernel: Kernel,
  cycles: readonly Cycle[],
  threads: readonly ThreadReport[],
): string {
  switch (spec.kind) {
    case 'deadlock':
      return `DEADLOCK: wait-for cycle of ${cycles[0]?.length ?? 0} thread(s)`;
    case 'stall': {
      const blocked = threads.filter((t) => t.state === 'blocked').length;
      return (
        `STALL: ${blocked} thread(s) blocked, nothing runnable, no timer, no host call in flight, no host source open` +
        (cycles.length > 0 ? `; ${cycles.length} wait-for cycle(s)` : '')
      );
    }
    case 'host-stall':
      return `HOST STALL: the event loop is empty: these host calls can never settle (${kernel.pendingHostCalls} host call(s) in flight, ${kernel.openSources.length} host source(s) open; ${threads.filter((t) => t.state === 'blocked').length} thread(s) blocked)`;
    case 'lock-order':
      return `LOCK ORDER INVERSION: possible deadlock (${spec.lockOrder?.classes.join(' -> ') ?? ''})`;
    case 'failures':
      return `FAILED THREADS: ${(spec.failures?.length ?? 0) + (spec.failuresDropped ?? 0)} thread(s) failed with nobody joining them`;
    default:
      return `THREAD DUMP: ${kernel.threads.length} live thread(s)`;
  }
}

/** Why a host wait can never end once Node's event loop is empty (host-stall reports). */
const HOST_STALL_HINTS: Readonly<Record<string, string>> = {
  host: 'the event loop is empty: this host call can never settle',
  source: 'the event loop is empty: nothing in the host can deliver to this source any more',
};

/** What the host still owes the kernel: host calls in flight, sources open (counted, named). */
function hostNotes(kernel: Kernel): string[] {
  const notes: string[] = [];
  if (kernel.pendingHostCalls > 0) notes.push(`${kernel.pendingHostCalls} host call(s) in flight`);
  const open = kernel.openSources;
  if (open.length > 0)
    notes.push(
      `${open.length} host source(s) open: ${open
        .slice(0, 20)
        .map((s) => `"${s.name}" (${s.queued} queued, ${s.waiting} waiting)`)
        .join(', ')}${open.length > 20 ? ', ...' : ''}`,
    );
  return notes;
}

/** Why an ownerless (or orphaned) wait can never end, once nothing can run: the kind says. */
function stallHint(
  kind: WaitKind,
  resource: Waitable | null,
  owners: readonly Thread[],
): string | undefined {
  if (resource === null) return undefined;
  const exited = owners.filter((o) => o.stateName === 'exited');
  if (exited.length > 0) return `held by ${exited.join(', ')}, which exited without releasing it`;
  const spec = specOf(kind);
  if (spec === undefined || !spec.durable || spec.stallHint === undefined) return undefined;
  return spec.stallHint(resource, owners);
}

function specOf(kind: WaitKind): WaitKindSpec | undefined {
  const id = waitKindId(kind);
  return id === undefined ? undefined : waitKindSpec(id);
}

// ---------------------------------------------------------------- text

/**
 * The report as text, like a Go goroutine dump: header, cycle(s), then one paragraph per thread.
 *
 * @example
 * console.error(formatReport(error.report));
 */
export function formatReport(r: Report, cwd = process.cwd()): string {
  const out: string[] = [
    `${r.title}`,
    `kernel "${r.kernel}", seed ${r.seed}, step ${r.step}, time ${formatMs(r.time)}`,
  ];
  r.cycles.forEach((c, i) => {
    out.push('', r.cycles.length > 1 ? `cycle ${i + 1}:` : 'cycle:');
    for (const s of c)
      out.push(`  ${name(s.thread)} ${waitPhrase(s.kind, s.waitsFor, [s.heldBy])}`);
  });
  if (r.lockOrder !== undefined)
    out.push('', ...formatLockOrder(r.lockOrder, r.kind === 'deadlock', cwd));
  if (r.failures.length > 0) {
    out.push(
      '',
      'threads that failed with nobody joining them (a failure is often why the others wait):',
    );
    for (const f of r.failures) out.push(`  ${name(f.thread)}: ${f.error}`);
  }
  for (const t of r.threads) out.push('', ...formatThread(t, cwd));
  if (r.notes.length > 0) out.push('', ...r.notes.map((n) => `note: ${n}`));
  return out.join('\n');
}

function name(t: ThreadRef): string {
  return `${t.name}#${t.id}`;
}
function res(r: ResourceRef): string {
  return `${r.kind} "${r.name}"`;
}

/** 'waits for mutex "A" held by b#2', 'waits to join scanner#2', ...: a kind may phrase it. */
function waitPhrase(kind: WaitKind, r: ResourceRef, owners: readonly ThreadRef[]): string {
  const who = owners.map(name).join(', ');
  const phrase = specOf(kind)?.phrase;
  if (phrase !== undefined) return phrase(r, who);
  if (owners.length === 0) return `waits for ${res(r)} (no owner)`;
  return `waits for ${res(r)} held by ${who}`;
}

function formatThread(t: ThreadReport, cwd: string): string[] {
  const prio =
    t.priority === t.basePriority
      ? `prio ${t.priority}`
      : `prio ${t.priority} (base ${t.basePriority})`;
  const w = t.waits;
  const state =
    w === null
      ? t.state
      : `${t.state} on ${w.kind}, ${formatMs(w.forMs)}${w.timed ? ', timed' : ''}`;
  const lines = [`thread ${name(t)} [${t.kind}${t.daemon ? ' daemon' : ''}, ${prio}, ${state}]:`];
  if (w !== null) {
    lines.push(
      `  ${w.resource === null ? `waits (${w.kind})` : waitPhrase(w.kind, w.resource, w.owners)} since ${formatMs(w.since)}`,
    );
    if (w.hint !== undefined) lines.push(`    ${w.hint}`);
  }
  if (t.holds.length > 0) lines.push(`  holds ${t.holds.map(res).join(', ')}`);
  lines.push(...formatFrames(t.backtrace, '  ', cwd));
  return lines;
}

/** An order edge is recorded when the lock is asked for, before it is taken or waited for. */
function formatLockOrder(o: LockOrderReport, deadlocked: boolean, cwd: string): string[] {
  const lines = [`lock classes: ${o.classes.join(' -> ')}`];
  o.edges.forEach((e, i) => {
    lines.push(
      `${i === 0 ? 'new dependency' : 'known dependency'}: ${name(e.thread)} asked for ${e.to} while holding ${e.from} (step ${e.step}, time ${formatMs(e.time)})`,
      `  held then: ${e.held.join(', ')}`,
      ...formatFrames(e.backtrace, '  ', cwd),
    );
  });
  lines.push(
    deadlocked
      ? 'this lock-order inversion is the deadlock above'
      : 'no deadlock happened in this run so far, but these orders can deadlock under another schedule',
  );
  return lines;
}

/**
 * One line per cycle, for logs and `kernel.warnings`.
 *
 * @example
 * kernel.warn(summarize(report));
 */
export function summarize(r: Report): string {
  const first = r.cycles[0];
  if (first !== undefined)
    return `${r.title}: ${first.map((s) => `${name(s.thread)} -[${res(s.waitsFor)}]->`).join(' ')} ${name(first[0]!.thread)}`;
  if (r.lockOrder !== undefined) {
    const e = r.lockOrder.edges[0];
    return `${r.title}: ${e === undefined ? '' : `${name(e.thread)} asked for ${e.to} while holding ${e.from}`}`;
  }
  return r.title;
}
