/**
 * The suites, each run in a child process of its own.
 *
 * Interface: SUITES, suiteByName(name), Suite.run(method, progress) -> SuiteOutput.
 * Invariants: suite names are unique; a suite's nodeFlags are the extra node options its child
 * needs (`--expose-gc` for memory, capacity, drain and cache); native builds made by a suite are
 * removed when it ends, whatever happens.
 */
import { measureCells } from '../harness.ts';
import type { Method } from '../method.ts';
import { removeNativeBuilds } from '../native.ts';
import type { Cell, SuiteOutput } from '../types.ts';
import { runCache } from './cache.ts';
import { runCapacity } from './capacity.ts';
import { runDrain } from './drain.ts';
import { handoffCells } from './handoff.ts';
import { runMemory } from './memory.ts';
import { roundRobinCells } from './roundrobin.ts';
import { spawnCells } from './spawn.ts';
import { yieldCells } from './yield.ts';

export interface Suite {
  readonly name: string;
  readonly title: string;
  readonly nodeFlags: readonly string[];
  run(method: Method, progress: (line: string) => void): Promise<SuiteOutput>;
}

function timingSuite(
  name: string,
  title: string,
  cells: (method: Method, notes: string[]) => Cell[],
): Suite {
  return {
    name,
    title,
    nodeFlags: [],
    async run(method, progress) {
      const t0 = performance.now();
      const notes: string[] = [];
      try {
        const results = await measureCells(cells(method, notes), method, progress);
        return {
          suite: name,
          cells: results,
          memory: [],
          capacity: null,
          drain: [],
          notes,
          seconds: (performance.now() - t0) / 1000,
        };
      } finally {
        removeNativeBuilds();
      }
    },
  };
}

export const SUITES: readonly Suite[] = [
  timingSuite('yield', 'yield ping-pong', yieldCells),
  timingSuite('handoff', 'blocking hand-offs', handoffCells),
  timingSuite('roundrobin', 'round robin', roundRobinCells),
  timingSuite('spawn', 'spawn + exit', spawnCells),
  {
    name: 'memory',
    title: 'bytes per blocked thread',
    nodeFlags: ['--expose-gc'],
    async run(method, progress) {
      const t0 = performance.now();
      const memory = await runMemory(method, progress);
      return {
        suite: 'memory',
        cells: [],
        memory,
        capacity: null,
        drain: [],
        notes: [],
        seconds: (performance.now() - t0) / 1000,
      };
    },
  },
  {
    name: 'capacity',
    title: 'blocked threads in one process',
    nodeFlags: ['--expose-gc'],
    async run(method, progress) {
      const t0 = performance.now();
      const capacity = await runCapacity(method, progress);
      return {
        suite: 'capacity',
        cells: [],
        memory: [],
        capacity,
        drain: [],
        notes: [],
        seconds: (performance.now() - t0) / 1000,
      };
    },
  },
  {
    name: 'drain',
    title: 'n blocked threads released one at a time',
    nodeFlags: ['--expose-gc'],
    async run(method, progress) {
      const t0 = performance.now();
      const { drain, notes } = runDrain(method, progress);
      return {
        suite: 'drain',
        cells: [],
        memory: [],
        capacity: null,
        drain,
        notes,
        seconds: (performance.now() - t0) / 1000,
      };
    },
  },
  {
    name: 'cache',
    title: 'block cache: hit and miss paths, write-back, hit ratios, memory',
    nodeFlags: ['--expose-gc'],
    async run(method, progress) {
      const t0 = performance.now();
      const { notes } = await runCache(method, progress);
      return {
        suite: 'cache',
        cells: [],
        memory: [],
        capacity: null,
        drain: [],
        notes,
        seconds: (performance.now() - t0) / 1000,
      };
    },
  },
];

/**
 * The suite called `name`, or undefined.
 *
 * @example
 * suiteByName('memory')?.nodeFlags; // ['--expose-gc']
 */
export function suiteByName(name: string): Suite | undefined {
  return SUITES.find((s) => s.name === name);
}
