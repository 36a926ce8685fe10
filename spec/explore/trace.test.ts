/**
 * Traces you can look at (lib/explore/chrome.ts, svg.ts, timeline.ts): a run as Chrome
 * trace-event JSON — exactly the expected events for a small known run — and as an SVG
 * timeline that is well-formed XML with one lane per thread.
 */
import test from 'ava';
import { Kernel, sleep } from '../../lib/index.ts';
import { traceEvents } from '../../lib/spi.ts';
import {
  explore,
  recordRun,
  renderTimeline,
  svgOf,
  toChromeTrace,
} from '../../lib/explore/index.ts';
import { MemoryDisk } from '../../lib/block/index.ts';
import { orderingDeadlock } from './scenarios.ts';
import { tracedHandOff } from '../helpers/handoff.ts';

test('the Chrome trace of a small known run is valid JSON with exactly the expected events', (t) => {
  const text = JSON.stringify(toChromeTrace(traceEvents(tracedHandOff().kernel)));
  const doc = JSON.parse(text) as {
    traceEvents: Record<string, unknown>[];
    displayTimeUnit: string;
  };
  t.is(doc.displayTimeUnit, 'ms');
  const compact = doc.traceEvents.map((e) =>
    [e.ph, e.tid, e.ts ?? '-', e.dur ?? '-', e.name, e.cat ?? '-', e.id ?? '-'].join(' '),
  );
  t.deepEqual(compact, [
    'M 0 - - process_name - -',
    'M 1 - - thread_name - -',
    'M 1 - - thread_sort_index - -',
    'M 2 - - thread_name - -',
    'M 2 - - thread_sort_index - -',
    'X 1 0 1 runnable runnable -',
    'X 2 0 2 runnable runnable -',
    'i 1 0 - spawn user prio=0 thread -',
    'i 2 0 - spawn user prio=0 thread -',
    'X 1 1 1 running running -',
    'i 1 1.5 - acquire mutex m lock -',
    'X 1 2 1 runnable runnable -',
    'X 2 2 1 running running -',
    'X 1 3 1 running running -',
    'X 2 3 0.5 blocked on mutex m blocked -',
    'X 2 3.5 0.5 runnable runnable -',
    'i 1 3.5 - release mutex m lock -',
    'i 2 3.5 - acquire mutex m lock -',
    'i 1 3.5 - exit returned thread -',
    's 1 3.5 - wake wake 1',
    'X 2 4 1 running running -',
    'f 2 4 - wake wake 1',
    'i 2 4.5 - release mutex m lock -',
    'i 2 4.5 - exit returned thread -',
  ]);
  const names = doc.traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.args);
  t.deepEqual(names, [{ name: 'a#1' }, { name: 'b#2' }]);
});

test('virtual time is the time base: a sleep of 5 ms moves the timestamps by 5000 us', (t) => {
  const k = new Kernel({ trace: true });
  k.spawn(
    function* () {
      yield* sleep(5);
    },
    { name: 'sleeper' },
  );
  k.runSync();
  const events = toChromeTrace(traceEvents(k)).traceEvents;
  const blocked = events.find((e) => e.cat === 'blocked')!;
  t.is(blocked.name, 'blocked on sleep');
  t.true(blocked.dur! > 5000);
  const runs = events.filter((e) => e.cat === 'running');
  t.true(runs[0]!.ts! < 1000 && runs[1]!.ts! > 5000);
  const timer = events.find((e) => e.ph === 'i' && e.name.startsWith('timer'))!;
  t.true(timer.ts! > 5000 && timer.ts! <= runs[1]!.ts!);
});

/** A strict well-formedness check: tags nest, attributes are quoted, `&` starts an entity. */
function wellFormed(xml: string): string | null {
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const tokens = body.split(/(<[^>]*>)/).filter((s) => s !== '');
  for (const tok of tokens) {
    if (!tok.startsWith('<')) {
      if (tok.includes('>') || /&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(tok))
        return `bad text ${tok}`;
      continue;
    }
    const m = /^<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(tok);
    if (m === null) return `bad tag ${tok}`;
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(m[3]!)) return `bad attribute ${tok}`;
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return `unbalanced ${tok}`;
    } else if (m[4] !== '/') stack.push(m[2]!);
  }
  return stack.length === 0 ? null : `unclosed ${stack.join(',')}`;
}

test('the SVG timeline of a small run is well-formed XML with one lane per thread', (t) => {
  const svg = renderTimeline(traceEvents(tracedHandOff().kernel), { title: 'a <hand-off> & more' });
  t.is(wellFormed(svg), null);
  t.true(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  t.is(svg.match(/<g class="lane"/g)?.length, 2);
  t.regex(svg, /data-thread="1"[\s\S]*a#1/);
  t.regex(svg, /a &lt;hand-off&gt; &amp; more/);
  t.is(svg.match(/<line class="wake"/g)?.length, 1, 'one wake-up arrow: a hands m to b');
  t.false(/href="http/.test(svg), 'self-contained');
});

test('a deadlock found by explore is drawn with its cycle highlighted and the waits still open', (t) => {
  const f = explore(orderingDeadlock, { runs: 100 }).failures[0]!;
  const recorded = recordRun(orderingDeadlock, f.shrunk!.schedule);
  t.deepEqual([...recorded.highlight].sort(), [1, 2]);
  const svg = svgOf(recorded, 'ab-ba');
  t.is(wellFormed(svg), null);
  t.is(svg.match(/<g class="lane"/g)?.length, 2);
  t.regex(svg, /red: deadlock cycle/);
  t.is(svg.match(/stroke="#c62828"/g)?.length, 2, "both threads' open waits outlined");
  const trace = toChromeTrace(recorded.events);
  t.deepEqual(
    trace.traceEvents.filter((e) => e.cat === 'blocked').map((e) => [e.tid, e.name, e.args]),
    [
      [1, 'blocked on mutex m2', { unfinished: true }],
      [2, 'blocked on mutex m1', { unfinished: true }],
    ],
  );
});

test("the README's timeline run (demos/timeline.ts) has every lane state and the cycle of its deadlock", async (t) => {
  const { timelineRun } = await import('../../demos/timeline.ts');
  const { events, highlight } = await timelineRun();
  t.deepEqual([...highlight].sort(), [2, 3]);
  const svg = renderTimeline(events, { highlight });
  t.is(wellFormed(svg), null);
  t.is(svg.match(/<g class="lane"/g)?.length, 3);
  for (const colour of ['#2e7d32', '#c5e1a5', '#ef6c00', '#1e88e5'])
    t.true(svg.includes(`fill="${colour}"`), colour);
});

test('I/O in a Chrome trace: a request is a blocked interval named after device and block, its completion a wake arrow from the irq thread', async (t) => {
  const k = new Kernel({ trace: true });
  const disk = new MemoryDisk({
    name: 'dev0',
    blockSize: 512,
    blockCount: 64,
    latency: { write: 1 },
  });
  disk.attach(k);
  k.spawn(
    function* () {
      yield* disk.write(17, 1, new Uint8Array(512));
    },
    { name: 'user' },
  );
  await k.run();
  disk.detach();
  const trace = toChromeTrace(traceEvents(k));
  const tid = (name: string): number =>
    trace.traceEvents.find(
      (e) => e.ph === 'M' && e.name === 'thread_name' && String(e.args?.['name']).startsWith(name),
    )!.tid!;
  const user = tid('user');
  const irq = tid('dev0.irq');
  const io = trace.traceEvents.filter((e) => e.ph === 'X' && e.tid === user && e.cat === 'blocked');
  t.deepEqual(
    io.map((e) => e.name),
    ['blocked on io dev0 lba 17'],
  );
  t.is(io[0]!.dur, 1000 + 0.5 + 1 + 1, 'the 1 ms write latency, in trace time');
  const starts = trace.traceEvents.filter((e) => e.ph === 's' && e.tid === irq);
  const ends = trace.traceEvents.filter((e) => e.ph === 'f' && e.tid === user);
  t.true(
    starts.some((s) => ends.some((f) => f.id === s.id)),
    'the completion is a wake arrow from dev0.irq to the requester',
  );
});
