/**
 * Demo: ballooning. Two clients, each over its own block cache on its own memory disk, share
 * one memory arbiter's budget. Client A is busy while B idles, then B is busy while A idles,
 * then A again: the busy cache grows by asking for quota; once the budget is handed out, the
 * arbiter sends the idle cache yield requests, and it gives back its cold blocks — and takes
 * memory back when its turn comes.
 * Prints a quota timeline; `npm run chart:balloon` writes it as docs/balloon.svg (the README's
 * chart; spec/demos.test.ts checks the file is what this demo draws).
 * Run alone: `npx tsx demos/balloon.ts`.
 */
import { writeFileSync } from 'node:fs';
import { Kernel, sleep, type Routine } from '../lib/index.ts';
import { SeededRandom } from '../lib/spi.ts';
import { MemoryDisk } from '../lib/block/memory.ts';
import { BlockCache } from '../lib/cache/cache.ts';
import { MemoryArbiter } from '../lib/mem/arbiter.ts';
import { Printer, runAlone, type Demo, type DemoOptions, type DemoResult } from './common.ts';

const BS = 4096;
const BUDGET_BLOCKS = 96;
const MIN_BLOCKS = 8;
const PHASE_MS = 300;
const SAMPLE_MS = 10;
/** Who is busy in each phase. */
const PHASES = ['A', 'B', 'A'] as const;

/** Quota of each cache, in blocks, at one time. */
export interface BalloonSample {
  readonly t: number;
  readonly a: number;
  readonly b: number;
}

/** One client's loop: busy in its phases (reads, some writes, barriers), idle otherwise. */
function* client(name: 'A' | 'B', cache: BlockCache, seed: number, kernel: Kernel): Routine<void> {
  const rng = new SeededRandom(seed);
  const buf = new Uint8Array(BS);
  const end = PHASES.length * PHASE_MS;
  for (let op = 0; ; op++) {
    const now = kernel.now();
    if (now >= end) break;
    if (PHASES[Math.floor(now / PHASE_MS)] !== name) {
      yield* sleep(SAMPLE_MS);
      continue;
    }
    const lba = rng.below(88); // a working set of 88 blocks: more than fits beside the other's minimum
    if (op % 4 === 3) yield* cache.write(lba, 1, buf);
    else yield* cache.read(lba, 1, buf);
    if (op % 16 === 15) yield* cache.barrier();
    yield* sleep(1);
  }
  yield* cache.flush();
}

/**
 * Runs the scenario; returns the quota samples and the arbiter.
 *
 * @example
 * const { samples } = await scenario();
 */
export async function scenario() {
  const kernel = new Kernel({
    name: 'balloon',
    detection: { cycles: 'fail', lockOrder: 'fail' },
  });
  const arbiter = new MemoryArbiter({
    budget: BUDGET_BLOCKS * BS,
    answerDeadlineMs: 50,
    backoffMs: 20,
  });
  const caches = (['A', 'B'] as const).map((name) => {
    const disk = new MemoryDisk({
      name: `disk${name}`,
      blockSize: BS,
      blockCount: 1024,
      latency: { read: 1, write: 1, flush: 1 },
    });
    disk.attach(kernel);
    return new BlockCache(disk, {
      name: `cache${name}`,
      minBlocks: MIN_BLOCKS,
      growBlocks: 8,
      policy: 'sieve',
      arbiter,
    });
  });
  const [a, b] = caches as [BlockCache, BlockCache];
  const samples: BalloonSample[] = [];
  let overBudget = false;
  kernel.spawn(
    function* () {
      yield* client('A', a, 1, kernel);
    },
    { name: 'client A' },
  );
  kernel.spawn(
    function* () {
      yield* client('B', b, 2, kernel);
    },
    { name: 'client B' },
  );
  kernel.spawn(
    function* sampler() {
      for (let t = 0; t <= PHASES.length * PHASE_MS; t += SAMPLE_MS) {
        samples.push({ t, a: a.blocks, b: b.blocks });
        if (arbiter.handedOut > arbiter.budget) overBudget = true;
        yield* sleep(SAMPLE_MS);
      }
    },
    { name: 'sampler' },
  );
  await kernel.run();
  return { samples, arbiter, a, b, overBudget };
}

const bar = (n: number): string => '#'.repeat(Math.round(n / 4)).padEnd(BUDGET_BLOCKS / 4);

/**
 * The quota timeline as an SVG line chart (deterministic: the same run draws the same bytes).
 *
 * @example
 * writeFileSync('docs/balloon.svg', balloonSvg((await scenario()).samples));
 */
export function balloonSvg(samples: readonly BalloonSample[]): string {
  const W = 640;
  const H = 260;
  const left = 50;
  const right = 20;
  const top = 30;
  const bottom = 40;
  const end = samples[samples.length - 1]!.t;
  const x = (t: number) => (left + ((W - left - right) * t) / end).toFixed(1);
  const y = (blocks: number) =>
    (top + (H - top - bottom) * (1 - blocks / BUDGET_BLOCKS)).toFixed(1);
  const line = (pick: (s: BalloonSample) => number) =>
    samples.map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.t)},${y(pick(s))}`).join(' ');
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="18">Block cache quotas under one memory arbiter (budget ${BUDGET_BLOCKS} blocks of 4 KiB)</text>`,
  ];
  for (let p = 0; p < PHASES.length; p++) {
    const x0 = Number(x(p * PHASE_MS));
    const x1 = Number(x((p + 1) * PHASE_MS));
    out.push(
      `<rect x="${x0}" y="${top}" width="${(x1 - x0).toFixed(1)}" height="${H - top - bottom}" fill="${PHASES[p] === 'A' ? '#eef4fb' : '#fdf1e6'}"/>`,
      `<text x="${((x0 + x1) / 2).toFixed(1)}" y="${top + 14}" text-anchor="middle" fill="#555">${PHASES[p]} busy</text>`,
    );
  }
  for (const blocks of [0, 24, 48, 72, 96])
    out.push(
      `<line x1="${left}" x2="${W - right}" y1="${y(blocks)}" y2="${y(blocks)}" stroke="#ccc"/>`,
      `<text x="${left - 6}" y="${y(blocks)}" text-anchor="end" dy="4">${blocks}</text>`,
    );
  for (let t = 0; t <= end; t += 150)
    out.push(`<text x="${x(t)}" y="${H - bottom + 16}" text-anchor="middle">${t} ms</text>`);
  out.push(
    `<path d="${line((s) => s.a)}" fill="none" stroke="#1f6fbf" stroke-width="2"/>`,
    `<path d="${line((s) => s.b)}" fill="none" stroke="#e07b16" stroke-width="2"/>`,
    `<text x="${left + 8}" y="${H - 6}" fill="#1f6fbf">cache A</text>`,
    `<text x="${left + 78}" y="${H - 6}" fill="#e07b16">cache B</text>`,
    `<text x="${W - right}" y="${H - 6}" text-anchor="end" fill="#555">quota in blocks over virtual time</text>`,
    '</svg>',
  );
  return out.join('\n') + '\n';
}

/**
 * Runs the scenario and writes its chart to `path`.
 *
 * @example
 * await writeChart('docs/balloon.svg');
 */
export async function writeChart(path: string): Promise<void> {
  writeFileSync(path, balloonSvg((await scenario()).samples));
}

async function run(options: DemoOptions = {}): Promise<DemoResult> {
  const out = new Printer(options);
  out.line('== ballooning: two caches, one budget; A busy, then B, then A again');
  const { samples, arbiter, a, b, overBudget } = await scenario();
  out.line(`    t (ms)  cache A quota (blocks)         cache B quota (blocks)`);
  for (const s of samples.filter((s) => s.t % 50 === 0))
    out.line(
      `    ${String(s.t).padStart(5)}  ${bar(s.a)} ${String(s.a).padStart(3)}  ${bar(s.b)} ${String(s.b).padStart(3)}`,
    );
  const count = (kind: string, client?: string) =>
    arbiter.events.filter((e) => e.kind === kind && (client === undefined || e.client === client))
      .length;
  out.line(
    `    arbiter: ${count('request')} requests, ${count('grant')} grants, ${count('deny')} denials, ` +
      `${count('yield')} yield requests, ${count('answer')} answers, ${count('unanswered')} unanswered`,
  );
  out.line(
    `    cache A: ${a.stats.hits} hits, ${a.stats.misses} misses, ${a.stats.released} blocks given back; ` +
      `cache B: ${b.stats.hits} hits, ${b.stats.misses} misses, ${b.stats.released} blocks given back`,
  );
  const at = (t: number) => samples.find((s) => s.t === t)!;
  const [p1, p2, p3] = [
    at(PHASE_MS - SAMPLE_MS),
    at(2 * PHASE_MS - SAMPLE_MS),
    at(3 * PHASE_MS - SAMPLE_MS),
  ];
  const expected =
    !overBudget &&
    count('unanswered') === 0 &&
    p1.a > 3 * p1.b &&
    p2.b > 3 * p2.a &&
    p3.a > 3 * p3.b &&
    count('yield', 'cacheA') > 0 &&
    count('yield', 'cacheB') > 0;
  out.line(
    expected
      ? '    the idle cache gave its memory to the busy one, and took it back in its turn'
      : '    unexpected: the quotas did not follow the busy client',
  );
  return out.result('balloon', expected);
}

export const demo: Demo = {
  name: 'balloon',
  title: 'ballooning: two block caches share one memory budget',
  run,
};

runAlone(import.meta.url, demo);
