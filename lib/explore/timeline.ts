/**
 * A run's trace as a timeline: per thread, the intervals it was running, runnable, blocked or
 * waiting on the host; the wake-ups between threads; lock acquires and releases. The Chrome
 * trace exporter (chrome.ts) and the SVG renderer (svg.ts) both draw this.
 *
 * Interface: buildTimeline(events) -> Timeline.
 * Positions: one dispatch is one unit — the thread dispatched at step s runs over [s, s+1);
 * what a running thread does during its step (a wake, an acquire) is at s + 0.5; a timer or
 * the host acts between steps, at s + 1; each move of the virtual clock adds one unit. Each
 * position keeps the virtual time it happened at.
 * Invariants: a thread's segments do not overlap and are in order; a segment still open when
 * the trace ends (a thread blocked at a deadlock) ends at the last position with `open: true`;
 * every arrow goes from a waker's running step to a later start of the woken thread's run.
 */
import type { TraceEvent } from '../spi.ts';

export type LaneState = 'running' | 'runnable' | 'blocked' | 'host';

/** A point of the timeline: its position (in dispatches) and its virtual time (ms). */
export interface At {
  readonly pos: number;
  readonly time: number;
}

export interface Segment {
  readonly thread: number;
  readonly state: LaneState;
  readonly from: At;
  readonly to: At;
  /** What a blocked thread waited for (`mutex m`), or the thread's state. */
  readonly label: string;
  /** Still open when the trace ended. */
  readonly open: boolean;
}

export interface Arrow {
  readonly from: number;
  readonly to: number;
  /** The wake, in the waker's step. */
  readonly at: At;
  /** Where the woken thread next ran (or the end of the trace). */
  readonly until: At;
}

export interface Mark {
  readonly thread: number;
  readonly at: At;
  /** acquire, release, spawn, exit, kill, timer. */
  readonly kind: string;
  readonly label: string;
}

export interface Timeline {
  /** Every thread seen, in id order. */
  readonly threads: readonly { readonly id: number; readonly name: string }[];
  readonly segments: readonly Segment[];
  readonly arrows: readonly Arrow[];
  readonly marks: readonly Mark[];
  /** Where the trace ends. */
  readonly end: At;
}

interface Open {
  state: LaneState;
  from: At;
  label: string;
}

/**
 * The timeline of a recorded run.
 *
 * @example
 * const timeline = buildTimeline(traceEvents(kernel));
 */
export function buildTimeline(events: readonly TraceEvent[]): Timeline {
  const names = new Map<number, string>();
  const open = new Map<number, Open>();
  const segments: Segment[] = [];
  const marks: Mark[] = [];
  const arrows: Arrow[] = [];
  // Wakes whose woken thread has not run since: the arrow ends at its next run.
  const pendingArrows = new Map<number, { from: number; at: At }>();
  let running: number | null = null;
  // What the running thread did during its step that ends its run: block, exit.
  let after: { state: LaneState | 'exited'; label: string } | null = null;
  let last: At = { pos: 0, time: 0 };

  const close = (thread: number, to: At): void => {
    const o = open.get(thread);
    if (o === undefined) return;
    open.delete(thread);
    if (to.pos > o.from.pos)
      segments.push({ thread, state: o.state, from: o.from, to, label: o.label, open: false });
  };
  const start = (thread: number, state: LaneState, from: At, label: string): void => {
    close(thread, from);
    open.set(thread, { state, from, label });
  };
  const endStep = (at: At): void => {
    if (running === null) return;
    if (after === null) start(running, 'runnable', at, 'runnable');
    else if (after.state === 'exited') close(running, at);
    else start(running, after.state, at, after.label);
    running = null;
    after = null;
  };

  // Each move of the clock adds a unit, so that a sleep shows as a gap however few steps it
  // spans (positions stay in order: they only grow).
  let gap = 0;
  let lastTime = 0;
  for (const e of events) {
    if (!names.has(e.thread)) names.set(e.thread, e.threadName);
    // A timer, or the host, acts between dispatches: the last one has ended.
    if (running !== null && (e.event === 'timer' || (e.event.startsWith('wake') && e.arg === 0)))
      endStep({ pos: e.step + gap + 1, time: lastTime });
    if (e.time > lastTime) {
      gap++;
      lastTime = e.time;
    }
    const inStep: At = { pos: e.step + gap + 0.5, time: e.time };
    const between: At = { pos: e.step + gap + 1, time: e.time };
    switch (e.event) {
      case 'run': {
        const at: At = { pos: e.step + gap, time: e.time };
        endStep(at);
        start(e.thread, 'running', at, 'running');
        running = e.thread;
        const arrow = pendingArrows.get(e.thread);
        if (arrow !== undefined) {
          pendingArrows.delete(e.thread);
          arrows.push({ from: arrow.from, to: e.thread, at: arrow.at, until: at });
        }
        last = at;
        continue;
      }
      case 'spawn': {
        const at = e.step === 0 ? { pos: gap, time: e.time } : inStep;
        start(e.thread, 'runnable', at, 'runnable');
        marks.push({ thread: e.thread, at, kind: 'spawn', label: e.detail });
        break;
      }
      case 'block':
      case 'rewait': {
        const host = e.detail === 'host' || e.detail.startsWith('host ');
        const state: LaneState = host ? 'host' : 'blocked';
        const label = host ? `host call` : e.detail;
        if (e.thread === running) after = { state, label };
        else if (open.get(e.thread)?.state === 'blocked') open.get(e.thread)!.label = label;
        break;
      }
      case 'wake':
      case 'wake-error': {
        const at = e.arg !== 0 && running !== null ? inStep : between;
        if (e.thread === running)
          after = null; // woken before it yielded: it goes on
        else start(e.thread, 'runnable', at, 'runnable');
        if (e.arg !== 0 && e.arg !== e.thread) pendingArrows.set(e.thread, { from: e.arg, at });
        break;
      }
      case 'exit':
        if (e.thread === running) after = { state: 'exited', label: e.detail };
        else close(e.thread, running !== null ? inStep : between);
        marks.push({
          thread: e.thread,
          at: running !== null ? inStep : between,
          kind: 'exit',
          label: e.detail,
        });
        break;
      case 'acquire':
      case 'release':
      case 'kill':
      case 'timer':
        marks.push({
          thread: e.thread,
          at: e.event === 'timer' ? between : inStep,
          kind: e.event,
          label: e.detail,
        });
        break;
      default:
        break;
    }
    if (marks.length > 0 && marks[marks.length - 1]!.at.pos > last.pos)
      last = marks[marks.length - 1]!.at;
  }
  const lastStep = events.reduce((m, e) => Math.max(m, e.step), 0);
  const end: At = {
    pos: Math.max(lastStep + gap + 1, last.pos),
    time: events.length > 0 ? events[events.length - 1]!.time : 0,
  };
  endStep(end);
  // Threads still blocked (a deadlock, a stall) get one more unit, so that the wait shows.
  const stuck = [...open.values()].some((o) => o.state !== 'runnable');
  const final: At = stuck ? { pos: end.pos + 1, time: end.time } : end;
  for (const [thread, o] of open) {
    if (final.pos > o.from.pos)
      segments.push({
        thread,
        state: o.state,
        from: o.from,
        to: final,
        label: o.label,
        open: true,
      });
  }
  for (const [to, arrow] of pendingArrows)
    arrows.push({ from: arrow.from, to, at: arrow.at, until: final });
  segments.sort((a, b) => a.thread - b.thread || a.from.pos - b.from.pos);
  const threads = [...names].map(([id, name]) => ({ id, name })).sort((a, b) => a.id - b.id);
  return { threads, segments, arrows, marks, end: final };
}
