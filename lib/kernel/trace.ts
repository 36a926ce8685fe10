/**
 * The schedule trace, recorded as numbers and formatted only when read: what a thread did at
 * which step and time. Recording an event writes six numbers into a chunk of a Float64Array
 * (no string is built; a chunk of 4,096 events is allocated now and then), so tracing can
 * stay on.
 *
 * Interface: `new TraceBuffer(capacity)`, `record(step, time, event, thread, arg, ref)`,
 * `lines()`, `events()` (the same, structured: for the trace-event and SVG exporters),
 * `traceEvents(kernel)`, the event codes EV_*.
 * Invariants: at most `capacity` events are kept; when the buffer is full, one last
 * `trace-stopped` event records where it stopped and every later record is refused (the
 * caller stops recording); formatting is a pure function of what was recorded, so the same run
 * and seed give the same text, byte for byte. `arg` is a number (a wait-kind id, a priority, an
 * exit code, the id of the thread that woke a waiter — 0 for a timer or the host — which only
 * `events()` shows); `ref` an object or string (the resource waited on, a kill reason), kept only for
 * the events that have one. Threads are kept by id, each once (references cost the GC a scan
 * per event; numbers do not).
 */
import { roundMs } from './ms.ts';
import type { KernelCore } from './kernel.ts';
import type { Thread } from './thread.ts';
import { waitKindName } from './waitkind.ts';

export const EV_SPAWN = 0;
export const EV_RUN = 1;
export const EV_BLOCK = 2;
export const EV_REWAIT = 3;
export const EV_WAKE = 4;
export const EV_WAKE_ERROR = 5;
export const EV_TIMER = 6;
export const EV_PRIO = 7;
export const EV_KILL = 8;
export const EV_EXIT = 9;
export const EV_ACQUIRE = 10;
export const EV_RELEASE = 11;
const EV_STOPPED = 12;
/** Exit event args. */
export const EXIT_RETURNED = 0;
export const EXIT_THREW = 1;
export const EXIT_KILLED = 2;
const EVENT_NAMES = [
  'spawn',
  'run',
  'block',
  'rewait',
  'wake',
  'wake-error',
  'timer',
  'prio',
  'kill',
  'exit',
  'acquire',
  'release',
];
const EXIT_NAMES = ['returned', 'threw', 'killed'];
// Events are kept in chunks of CHUNK events, FIELDS numbers each, one Float64Array a chunk:
// filling the buffer allocates a chunk now and then and never copies (growing one array by
// doubling measured as costly as recording itself).
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const FIELDS = 6; // step, time, event, arg, thread id, ref index
const NO_REF = -1;

export class TraceBuffer {
  private readonly chunks: Float64Array<ArrayBuffer>[] = [];
  /** Every thread seen, by id (kept for its name, kind and priority when formatting). */
  private readonly threads = new Map<number, Thread>();
  /** The last thread recorded: most events repeat it or its partner, so the map is rarely asked. */
  private lastThread: Thread | null = null;
  private readonly refs: unknown[] = [];
  /** Events recorded, the stop event included. */
  length = 0;
  /** True once the capacity was reached. */
  full = false;

  /**
   * @example
   * const trace = new TraceBuffer(1_000_000);
   */
  constructor(readonly capacity: number) {}

  /**
   * Records one event; false when the buffer is full (then the stop event is recorded once).
   *
   * @example
   * trace.record(kernel.steps, kernel.now(), EV_BLOCK, t, kindId, mutex);
   */
  record(step: number, time: number, event: number, t: Thread, arg: number, ref: unknown): boolean {
    if (this.length >= this.capacity) {
      if (!this.full) this.put(step, time, EV_STOPPED, -1, this.capacity, NO_REF);
      this.full = true;
      return false;
    }
    if (t !== this.lastThread) {
      this.lastThread = t;
      if (!this.threads.has(t.id)) this.threads.set(t.id, t);
    }
    let refAt = NO_REF;
    if (ref !== null) {
      refAt = this.refs.length;
      this.refs.push(ref);
    }
    this.put(step, time, event, t.id, arg, refAt);
    return true;
  }

  /**
   * The events as text, one line each: `step time event thread#id [detail]`.
   *
   * @example
   * trace.lines().join('\n');
   */
  lines(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.format(i));
    return out;
  }

  /**
   * The events as objects, in order (the stop event excluded): for exporters.
   *
   * @example
   * for (const e of trace.events()) if (e.event === 'wake') arrows.push([e.arg, e.thread]);
   */
  events(): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (let i = 0; i < this.length; i++) {
      const chunk = this.chunks[i >> CHUNK_BITS]!;
      const at = (i & (CHUNK - 1)) * FIELDS;
      const event = chunk[at + 2]!;
      if (event === EV_STOPPED) continue;
      const t = this.threads.get(chunk[at + 4]!)!;
      const refAt = chunk[at + 5]!;
      const ref = refAt === NO_REF ? null : this.refs[refAt];
      const arg = chunk[at + 3]!;
      out.push({
        step: chunk[at]!,
        time: chunk[at + 1]!,
        event: EVENT_NAMES[event]!,
        thread: t.id,
        threadName: t.name,
        arg,
        detail: this.detail(event, t, arg, ref),
        resource: ref !== null && typeof ref === 'object' ? resourceLabel(ref) : null,
      });
    }
    return out;
  }

  private put(
    step: number,
    time: number,
    event: number,
    threadId: number,
    arg: number,
    refAt: number,
  ): void {
    const i = this.length;
    const c = i >> CHUNK_BITS;
    if (c === this.chunks.length) this.chunks.push(new Float64Array(CHUNK * FIELDS));
    const chunk = this.chunks[c]!;
    const at = (i & (CHUNK - 1)) * FIELDS;
    chunk[at] = step;
    chunk[at + 1] = time;
    chunk[at + 2] = event;
    chunk[at + 3] = arg;
    chunk[at + 4] = threadId;
    chunk[at + 5] = refAt;
    this.length = i + 1;
  }

  private format(i: number): string {
    const chunk = this.chunks[i >> CHUNK_BITS]!;
    const at = (i & (CHUNK - 1)) * FIELDS;
    const head = `${chunk[at]} ${roundMs(chunk[at + 1]!)}`;
    const event = chunk[at + 2]!;
    const arg = chunk[at + 3]!;
    if (event === EV_STOPPED) {
      return `${head} trace-stopped maxTraceLines=${arg} reached; later events are not recorded`;
    }
    const t = this.threads.get(chunk[at + 4]!)!;
    const refAt = chunk[at + 5]!;
    const detail = this.detail(event, t, arg, refAt === NO_REF ? null : this.refs[refAt]);
    return `${head} ${EVENT_NAMES[event]} ${t.name}#${t.id}${detail === '' ? '' : ' ' + detail}`;
  }

  private detail(event: number, t: Thread, arg: number, ref: unknown): string {
    switch (event) {
      case EV_SPAWN:
        return `${t.kind} prio=${t.basePriority}`;
      case EV_BLOCK:
      case EV_REWAIT: {
        const kind = waitKindName(arg) ?? '';
        return ref === null ? kind : `${kind} ${(ref as { name: string }).name}`;
      }
      case EV_ACQUIRE:
      case EV_RELEASE:
        return resourceLabel(ref);
      case EV_TIMER:
        return waitKindName(arg) ?? '';
      case EV_PRIO:
        return String(arg);
      case EV_KILL:
        return String(ref);
      case EV_EXIT:
        return EXIT_NAMES[arg]!;
      default:
        return '';
    }
  }
}

/** One recorded event, structured (see TraceBuffer.events). */
export interface TraceEvent {
  readonly step: number;
  /** Kernel time in ms (virtual under the virtual clock). */
  readonly time: number;
  /** spawn, run, block, rewait, wake, wake-error, timer, prio, kill, exit, acquire, release. */
  readonly event: string;
  readonly thread: number;
  readonly threadName: string;
  /** wake: the waker's thread id (0: a timer or the host); block: the wait-kind id; ... */
  readonly arg: number;
  /** What the text trace shows after the thread. */
  readonly detail: string;
  /** `kind name` of the resource, for block, rewait, acquire and release. */
  readonly resource: string | null;
}

function resourceLabel(ref: unknown): string {
  const r = ref as { resourceKind?: string; name?: string };
  return r.resourceKind === undefined ? String(r.name) : `${r.resourceKind} ${String(r.name)}`;
}

/**
 * The events `kernel` recorded while tracing was on, structured; [] when it never was.
 *
 * @example
 * kernel.tracing = true; kernel.runSync(); traceEvents(kernel).length;
 */
export function traceEvents(kernel: KernelCore): TraceEvent[] {
  return kernel.traceKept === null ? [] : kernel.traceKept.events();
}
