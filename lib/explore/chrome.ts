/**
 * A run as Chrome trace-event JSON (the format Perfetto and chrome://tracing open).
 *
 * Interface: toChromeTrace(events, options) -> ChromeTrace (JSON.stringify it), TRACE_SCALE.
 * What it holds: one track per thread (pid 1 or `pid`, tid = thread id, named by `thread_name`
 * metadata); a complete event ('X') for each interval a thread was running (cat `running`),
 * runnable (`runnable`), blocked (`blocked`, named `blocked on mutex m`) or waiting on the host
 * (`host`); an instant event ('i', thread scope) for each lock acquire and release, spawn,
 * exit, kill and timer; a flow ('s' at the waker's wake, 'f' at the woken thread's next run,
 * one id each) for each wake-up by another thread.
 * Time base: virtual time — 1 ms of it is TRACE_SCALE µs — plus one µs per dispatch, so the
 * steps of one virtual instant are spread out in order (timestamps never decrease).
 * Invariants: the events are sorted by timestamp, metadata first; equal input, equal output.
 */
import type { TraceEvent } from '../spi.ts';
import { buildTimeline, type At } from './timeline.ts';

/** µs of the trace per ms of virtual time. */
export const TRACE_SCALE = 1000;

/** One trace event (the fields the format defines that we use). */
export interface ChromeEvent {
  readonly name: string;
  readonly ph: 'M' | 'X' | 'i' | 's' | 'f';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly id?: number;
  readonly s?: 't';
  readonly bp?: 'e';
  readonly args?: Readonly<Record<string, string | number | boolean>>;
}

export interface ChromeTrace {
  readonly traceEvents: ChromeEvent[];
  readonly displayTimeUnit: 'ms';
  readonly otherData: Readonly<Record<string, string>>;
}

/**
 * The trace-event document of a recorded run.
 *
 * @example
 * writeFileSync('run.json', JSON.stringify(toChromeTrace(traceEvents(kernel))));
 */
export function toChromeTrace(
  events: readonly TraceEvent[],
  options: { readonly name?: string; readonly pid?: number } = {},
): ChromeTrace {
  const timeline = buildTimeline(events);
  const ts = (at: At): number => at.time * TRACE_SCALE + at.pos;
  const pid = options.pid ?? 1;
  const meta: ChromeEvent[] = [
    {
      name: 'process_name',
      ph: 'M',
      pid,
      tid: 0,
      args: { name: options.name ?? 'greenkernel' },
    },
  ];
  for (const t of timeline.threads) {
    meta.push({
      name: 'thread_name',
      ph: 'M',
      pid,
      tid: t.id,
      args: { name: `${t.name}#${t.id}` },
    });
    meta.push({
      name: 'thread_sort_index',
      ph: 'M',
      pid,
      tid: t.id,
      args: { sort_index: t.id },
    });
  }
  const timed: ChromeEvent[] = [];
  for (const s of timeline.segments) {
    const name =
      s.state === 'blocked' ? `blocked on ${s.label}` : s.state === 'host' ? 'host call' : s.state;
    timed.push({
      name,
      ph: 'X',
      cat: s.state,
      pid,
      tid: s.thread,
      ts: ts(s.from),
      dur: ts(s.to) - ts(s.from),
      ...(s.open ? { args: { unfinished: true } } : {}),
    });
  }
  for (const m of timeline.marks) {
    timed.push({
      name: m.label === '' ? m.kind : `${m.kind} ${m.label}`,
      ph: 'i',
      s: 't',
      cat: m.kind === 'acquire' || m.kind === 'release' ? 'lock' : 'thread',
      pid,
      tid: m.thread,
      ts: ts(m.at),
    });
  }
  let id = (pid - 1) * 1_000_000;
  for (const a of timeline.arrows) {
    id++; // unique across the processes of one document (demos write several)
    timed.push({ name: 'wake', ph: 's', cat: 'wake', id, pid, tid: a.from, ts: ts(a.at) });
    timed.push({
      name: 'wake',
      ph: 'f',
      bp: 'e',
      cat: 'wake',
      id,
      pid,
      tid: a.to,
      ts: ts(a.until),
    });
  }
  // A stable sort: equal timestamps keep the order above (slices, marks, flows).
  timed.sort((a, b) => a.ts! - b.ts!);
  return {
    traceEvents: [...meta, ...timed],
    displayTimeUnit: 'ms',
    otherData: {
      timeBase: `virtual time: 1 ms = ${TRACE_SCALE} us, plus 1 us per dispatch`,
    },
  };
}
