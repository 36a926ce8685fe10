/**
 * Benchmark: what deadlock detection costs, in one run so ratios are fair.
 *
 * Cases, each with detection off, with cycle detection ('fail'), and with lock-order
 * validation ('warn', cycles off):
 *  - uncontended lock/unlock of one mutex (nothing held: lockdep's fast path);
 *  - uncontended nested lock/unlock of two mutexes (a held chain, validated once, then hashed);
 *  - contended hand-off: two threads ping-pong one mutex, every lock blocks (the cycle check
 *    runs on every block).
 * Plus the cold path: backtrace cost per frame and the cost of a full report.
 * Goals: cycle detection adds ≤ 10% to a contended hand-off; lock-order validation costs ≤ 2x
 * an uncontended lock/unlock. Prints a table and PASS/FAIL lines; writes deadlock.json to
 * bench/out (ignored by git; --out DIR elsewhere), or to the committed bench/results with --save.
 * Samples are taken by the harness's sampler (harness.ts), as in the main benchmark.
 * Run alone: `npm run bench:deadlock -- [--quick] [--out DIR | --save]` (`npx tsx
 * bench/deadlock.ts`). Exports `main(argv)`; exit 0 when every goal holds, 1 when one fails, 2
 * on bad arguments.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kernel, Mutex, call, sleep, type DetectionOptions, type Thread } from '../lib/index.ts';
import { backtrace, backtraceSupport, buildReport } from '../lib/debug.ts';
import { parseCommand, runAsProgram, stop, usageError, type Command } from '../bin/entry.ts';
import { repeatFor, takeSamples } from './harness.ts';
import { RUNS_DIR, SAVED_DIR } from './paths.ts';

const OPS = 2000; // lock/unlock pairs per kernel run (one timed call)
const SAMPLES = 5; // per configuration and round

/** `npm run bench:deadlock`. */
export const DEADLOCK_BENCH_COMMAND = {
  name: 'npm run bench:deadlock --',
  summary: 'Measures what deadlock detection and lock-order validation cost (see bench/README.md).',
  flags: {
    quick: { type: 'boolean', help: 'one short round: a smoke test, not a measurement' },
    out: {
      type: 'string',
      value: 'DIR',
      help: 'write deadlock.json to DIR (default: bench/out, ignored by git)',
    },
    save: {
      type: 'boolean',
      help: 'update the committed bench/results/deadlock.json (a full run only)',
    },
  },
} as const satisfies Command;

const CONFIGS: Record<string, DetectionOptions | false> = {
  off: false,
  cycles: { cycles: 'fail', lockOrder: 'off' },
  lockOrder: { cycles: 'off', lockOrder: 'warn' },
};

type Workload = (kernel: Kernel) => void;

const uncontended: Workload = (kernel) => {
  const m = new Mutex('m');
  kernel.spawn(function* single() {
    for (let i = 0; i < OPS; i++) {
      yield* m.lock();
      m.unlock();
    }
  });
};

const nested: Workload = (kernel) => {
  const a = new Mutex('a');
  const b = new Mutex('b');
  kernel.spawn(function* pair() {
    for (let i = 0; i < OPS; i++) {
      yield* a.lock();
      yield* b.lock();
      b.unlock();
      a.unlock();
    }
  });
};

const handoff: Workload = (kernel) => {
  const m = new Mutex('m');
  const body = function* pingpong() {
    for (let i = 0; i < OPS; i++) {
      yield* m.lock(); // blocks every time but the first: the other thread holds it
      yield;
      m.unlock(); // hands the mutex to the other thread
    }
  };
  kernel.spawn(body, { name: 'ping' });
  kernel.spawn(body, { name: 'pong' });
};

// The pure hand-off: each unlock hands the mutex to the blocked peer, each lock blocks (the
// block path, where the cycle check runs, is all there is besides the switch).
const handoffPure: Workload = (kernel) => {
  const m = new Mutex('baton');
  const body = function* baton() {
    yield* m.lock();
    yield; // let the peer queue up on the mutex
    for (let i = 0; i < OPS; i++) {
      m.unlock();
      yield* m.lock();
    }
    m.unlock();
  };
  kernel.spawn(body, { name: 'first' });
  kernel.spawn(body, { name: 'second' });
};

const WORKLOADS: Record<string, Workload> = {
  uncontended,
  nested,
  handoff,
  'handoff-pure': handoffPure,
};

interface Row {
  workload: string;
  config: string;
  /** Median over rounds. */
  nsPerOp: number;
  /** Every round's figure, in round order. */
  rounds: number[];
}

/**
 * Each round measures, per workload, the three configurations back to back (order rotated
 * every round, so none always runs first: JIT warm-up, frequency drift). Ratios are taken per
 * round, between neighbours in time, and their median is reported: a noisy neighbour on the
 * machine disturbs one round, not the result.
 */
async function measure(rounds: number, secondsPerCell: number): Promise<Row[]> {
  const figures = new Map<string, number[]>();
  const configs = Object.entries(CONFIGS);
  for (let round = 0; round < rounds; round++) {
    const rotated = [
      ...configs.slice(round % configs.length),
      ...configs.slice(0, round % configs.length),
    ];
    for (const [w, workload] of Object.entries(WORKLOADS)) {
      for (const [c, detection] of rotated) {
        const kernel = new Kernel({ name: `${w}/${c}`, detection });
        const runner = {
          mode: 'sync' as const,
          run(): void {
            workload(kernel);
            kernel.runSync();
          },
        };
        const period = await repeatFor(runner, secondsPerCell / (SAMPLES + 1), 2); // warm-up and calibration
        const count = Math.max(
          1,
          Math.round(secondsPerCell / (SAMPLES + 1) / Math.max(period, 1e-9)),
        );
        const samples = await takeSamples(runner, count, SAMPLES);
        const list = figures.get(`${w}/${c}`) ?? [];
        list.push((mean(samples) * 1e9) / OPS);
        figures.set(`${w}/${c}`, list);
      }
    }
  }
  return [...figures].map(([name, list]) => {
    const [workload, config] = name.split('/') as [string, string];
    return { workload, config, nsPerOp: median(list), rounds: list };
  });
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Backtrace cost: a thread blocked `depth` frames deep, located `reps` times. */
function backtraceCost(
  depth: number,
  reps: number,
): { usPerFrame: number; reportMs: number; method: string } {
  const kernel = new Kernel({ name: 'bt', detection: false });
  function* nest(n: number): Generator<never, void, unknown> {
    if (n > 1) yield* call(nest, n - 1) as Generator<never, void, unknown>;
    else yield* sleep(1) as Generator<never, void, unknown>;
  }
  const t: Thread = kernel.spawn(function* deep() {
    yield* call(nest, depth - 1);
  });
  kernel.runUntilIdle();
  backtrace(t); // warm: session, script map
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) backtrace(t);
  const usPerFrame = ((performance.now() - t0) * 1000) / (reps * depth);
  const r0 = performance.now();
  buildReport(kernel, { kind: 'dump' });
  const reportMs = performance.now() - r0;
  kernel.runSync();
  return { usPerFrame, reportMs, method: backtraceSupport().method };
}

/**
 * Runs the benchmark; prints the table and PASS/FAIL lines; resolves to 0 when every goal
 * holds, 1 when one fails, 2 on bad arguments.
 *
 * @example
 * process.exitCode = await main(['--quick']);
 */
export async function main(argv: string[] = []): Promise<number> {
  const parsed = parseCommand(DEADLOCK_BENCH_COMMAND, argv);
  if ('exit' in parsed) return stop(parsed);
  const { quick = false, save = false, out } = parsed.values;
  if (save && (quick || out !== undefined))
    return stop(
      usageError(
        DEADLOCK_BENCH_COMMAND,
        '--save writes the committed results: a full run, with no --quick and no --out',
      ),
    );
  const rounds = quick ? 1 : 15;
  const rows = await measure(rounds, quick ? 0.05 : 0.2);
  const row = (w: string, c: string): Row => rows.find((r) => r.workload === w && r.config === c)!;
  const ns = (w: string, c: string): number => row(w, c).nsPerOp;
  /** Median over rounds of the per-round ratio config/off. */
  const ratio = (w: string, c: string): number =>
    median(row(w, c).rounds.map((x, i) => x / row(w, 'off').rounds[i]!));
  console.log(
    `deadlock detection cost (${OPS} ops per kernel run; ${rounds} rounds; ns per lock/unlock pair, median; ratios: median of per-round ratios)`,
  );
  console.log(
    `${'workload'.padEnd(12)} ${'off'.padStart(9)} ${'cycles'.padStart(9)} ${'lockOrder'.padStart(9)}   cycles/off  lockOrder/off`,
  );
  for (const w of Object.keys(WORKLOADS)) {
    const off = ns(w, 'off');
    console.log(
      `${w.padEnd(12)} ${off.toFixed(1).padStart(9)} ${ns(w, 'cycles').toFixed(1).padStart(9)} ${ns(w, 'lockOrder').toFixed(1).padStart(9)}` +
        `   ${ratio(w, 'cycles').toFixed(3).padStart(10)}  ${ratio(w, 'lockOrder').toFixed(3).padStart(13)}`,
    );
  }
  const bt = backtraceCost(8, quick ? 20 : 100);
  console.log(
    `backtrace (${bt.method}): ${bt.usPerFrame.toFixed(1)} µs per frame; full report of 1 thread, 8 frames: ${bt.reportMs.toFixed(2)} ms`,
  );
  const goals = [
    {
      goal: 'cycle detection adds <= 10% to a contended hand-off',
      ratio: ratio('handoff', 'cycles'),
      limit: 1.1,
    },
    {
      goal: 'cycle detection adds <= 10% to a pure hand-off (lock blocks, unlock hands over)',
      ratio: ratio('handoff-pure', 'cycles'),
      limit: 1.1,
    },
    {
      goal: 'lock-order validation <= 2x an uncontended lock/unlock (nothing held)',
      ratio: ratio('uncontended', 'lockOrder'),
      limit: 2,
    },
    {
      goal: 'lock-order validation <= 2x an uncontended nested lock/unlock (chain hashed)',
      ratio: ratio('nested', 'lockOrder'),
      limit: 2,
    },
  ];
  let failed = 0;
  for (const g of goals) {
    const pass = g.ratio <= g.limit;
    if (!pass) failed++;
    console.log(
      `${pass ? 'PASS' : 'FAIL'} ${g.goal}: ratio ${g.ratio.toFixed(3)} (limit ${g.limit})`,
    );
  }
  const dir = save ? SAVED_DIR : resolve(out ?? RUNS_DIR);
  mkdirSync(dir, { recursive: true });
  const json = {
    date: new Date().toISOString(),
    node: process.version,
    opsPerRun: OPS,
    rows,
    backtrace: bt,
    goals: goals.map((g) => ({ ...g, pass: g.ratio <= g.limit })),
  };
  writeFileSync(join(dir, 'deadlock.json'), JSON.stringify(json, null, 2) + '\n');
  console.log(`wrote ${join(dir, 'deadlock.json')}`);
  return failed === 0 ? 0 : 1;
}

runAsProgram(import.meta.url, main);
