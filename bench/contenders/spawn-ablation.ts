/**
 * Spawn + exit ablations: greenkernel's spawn and exit built up from the thread record, to show
 * where the nanoseconds of a short-lived thread go (issue 13). Neither is a runtime; they are
 * measured beside the real thing in the same run, and only ratios are reported.
 *
 * Interface: spawnBookkeepingSpawnExit(batch, probe), gkBareLoopSpawnExit(batch, probe).
 * Invariants:
 *  - bookkeeping: each thread is a new Thread record, made and finished with every piece of
 *    state the kernel keeps for it and nothing else — the options checked (checkSpawnOptions),
 *    the maxThreads limit, the body checked (startRoutine), an id and a name, the live table
 *    and the user-thread count, the kernel's priority RunQueue, and at exit the flags, result,
 *    state and frames — with no asserts, trace, scheduling strategy, kill, misuse or joiner
 *    handling and no dispatch loop: the state any correct spawn + exit must write, so its
 *    ratio to async/await is the floor of the spawn goal for greenkernel's semantics;
 *  - bare loop: the real kernel.spawn, runThread and exit, dispatched by a loop of dequeue +
 *    runThread without dispatchLoop's checks (step limit, panics, daemons, clock, trace,
 *    strategy) — over the bookkeeping, what spawn(), runThread and exit's checks cost; under
 *    greenkernel, what the dispatch loop costs;
 *  - each run spawns `batch` threads that return at once; each logs its index once, in order.
 */
import { Kernel, type Routine, type SpawnOptions } from '../../lib/index.ts';
import { cpu, startRoutine } from '../../lib/kernel/operation.ts';
import { checkSpawnOptions } from '../../lib/kernel/options.ts';
import { PRIORITY_LEVELS, RunQueue } from '../../lib/kernel/runqueue.ts';
import { F_DAEMON, F_KERNEL, F_RETURNED, S_EXITED, Thread } from '../../lib/kernel/thread.ts';
import type { Probe, Runner } from '../types.ts';
import { bareDispatch } from './ablation.ts';

/**
 * Spawn + exit writing the kernel's per-thread state directly (see the module comment).
 *
 * @example
 * spawnBookkeepingSpawnExit(1000, null).run(); // 1,000 threads made, run and finished
 */
export function spawnBookkeepingSpawnExit(batch: number, probe: Probe | null): Runner {
  const kernel = new Kernel({ name: 'bench-spawn-bookkeeping' });
  const runq = new RunQueue(null);
  const live: Thread[] = [];
  const maxThreads = kernel.limits.maxThreads;
  let liveUserThreads = 0;
  let nextId = 1;
  let firstId = 0;
  function* oneShot(): Routine<void> {
    if (probe !== null) probe.log.push(cpu.current!.id - firstId);
  }
  function spawn(body: () => Routine<void>, options: SpawnOptions): Thread {
    checkSpawnOptions(options, PRIORITY_LEVELS);
    if (live.length >= maxThreads) throw new Error('bookkeeping ablation: too many threads');
    const routine = startRoutine(body, 'spawn(body)') as Routine;
    const flags =
      (options.kind === 'kernel' ? F_KERNEL : 0) | (options.daemon === true ? F_DAEMON : 0);
    const name = options.name ?? (body.name !== '' ? body.name : 'thread');
    const t = new Thread(kernel, nextId++, name, routine, flags, options.priority ?? 0);
    t.liveIndex = live.length;
    live.push(t);
    if ((flags & F_DAEMON) === 0) liveUserThreads++;
    runq.enqueue(t);
    return t;
  }
  function exit(t: Thread, value: unknown): void {
    t.flags |= F_RETURNED;
    t.result = value;
    t.state = S_EXITED;
    t.clearFrames();
    const last = live.pop()!;
    if (last !== t) {
      live[t.liveIndex] = last;
      last.liveIndex = t.liveIndex;
    }
    t.liveIndex = -1;
    if ((t.flags & F_DAEMON) === 0) liveUserThreads--;
  }
  return {
    mode: 'sync',
    run(): void {
      firstId = spawn(oneShot, { name: 'short' }).id;
      for (let i = 1; i < batch; i++) spawn(oneShot, { name: 'short' });
      try {
        for (let t = runq.dequeueNext(); t !== null; t = runq.dequeueNext()) {
          cpu.current = t;
          const r = t.top!.next();
          if (r.done === true) exit(t, r.value);
          else runq.enqueue(t);
        }
      } finally {
        cpu.current = null;
      }
      if (liveUserThreads !== 0) throw new Error('bookkeeping ablation: a thread did not finish');
    },
  };
}

/**
 * The real spawn + exit, dispatched by a bare loop (see the module comment).
 *
 * @example
 * gkBareLoopSpawnExit(1000, null).run(); // 1,000 spawns and exits
 */
export function gkBareLoopSpawnExit(batch: number, probe: Probe | null): Runner {
  const kernel = new Kernel({ name: 'bench-spawn-bare-loop' });
  let firstId = 0;
  function* oneShot(): Routine<void> {
    if (probe !== null) probe.log.push(cpu.current!.id - firstId);
  }
  return {
    mode: 'sync',
    run(): void {
      firstId = kernel.spawn(oneShot, { name: 'short' }).id;
      for (let i = 1; i < batch; i++) kernel.spawn(oneShot, { name: 'short' });
      bareDispatch(kernel);
    },
  };
}
