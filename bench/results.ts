/**
 * The results document: what bench/results/latest.json holds, how it is assembled from the
 * suites' outputs, and a validator for its shape (used by the tests; the shape is documented in
 * bench/README.md).
 *
 * Interface: BenchResults, Figure, DrainFigure, Goal, CapacityOutcome, SuiteStatus, machineInfo(),
 * assembleResults(...), validateResults(json) -> problems.
 * Invariants: `schema` names the shape version; every figure's ratioToFloor divides by a figure
 * of the same suite process (or is null when that floor was not measured), and every drain
 * figure's ratioToSmallest by the smallest size of its workload, from the same process; the goals
 * are evaluated on exactly the figures in the document.
 */
import { cpus, totalmem } from 'node:os';
import { WORKLOADS, contenderLabel, workloadLabel } from './catalog.ts';
import { evaluateGoals } from './goals.ts';
import type { Method } from './method.ts';
import type {
  CapacityResult,
  CellResult,
  DrainResult,
  MemoryResult,
  SuiteOutput,
  Unit,
} from './types.ts';

export const SCHEMA = 'greenkernel-bench/1';

export interface MachineInfo {
  readonly node: string;
  readonly v8: string;
  readonly cpu: string;
  readonly cores: number;
  readonly platform: string;
  readonly arch: string;
  readonly totalMemoryBytes: number;
  /** ISO 8601 time the run started. */
  readonly date: string;
}

/** One contender's figure in one workload. */
export interface Figure {
  readonly suite: string;
  readonly workload: string;
  readonly workloadLabel: string;
  readonly contender: string;
  readonly label: string;
  readonly unit: Unit;
  /** The figure: best run median (timing) or heap delta / threads (memory). */
  readonly median: number;
  /** Median of each interleaved run (one entry for memory figures). */
  readonly runMedians: number[];
  readonly min: number;
  readonly max: number;
  readonly rmePct: number;
  /** median / the workload floor's median, or null when the floor is missing. */
  readonly ratioToFloor: number | null;
  readonly floor: string;
  /** Memory figures: threads created and verified blocked. */
  readonly threads?: number;
  readonly verifiedBlocked?: number;
  readonly note?: string;
}

/** One size of a drain workload, with its ratio to the smallest size of the same run. */
export interface DrainFigure extends DrainResult {
  readonly suite: string;
  readonly workloadLabel: string;
  /** nsPerWake / nsPerWake of the workload's smallest n; null when either is missing. */
  readonly ratioToSmallest: number | null;
}

export interface Goal {
  readonly id: string;
  readonly text: string;
  readonly kind: 'at-most' | 'at-least' | 'info';
  readonly target: number;
  readonly value: number | null;
  /** The ratio within each interleaved run. */
  readonly perRun: number[];
  readonly also: { readonly versus: string; readonly value: number } | null;
  /** null: not measured in this run, or an info line. */
  readonly pass: boolean | null;
}

/** The capacity check, with how the heap was configured. */
export interface CapacityOutcome extends CapacityResult {
  readonly fits: boolean;
  /** The explicit --max-old-space-size used, or null for node's default heap. */
  readonly maxOldSpaceSizeMb: number | null;
  readonly attempts: {
    readonly maxOldSpaceSizeMb: number | null;
    readonly ok: boolean;
    readonly detail: string;
  }[];
}

export interface SuiteStatus {
  readonly name: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly error: string | null;
  readonly notes: string[];
}

export interface BenchResults {
  readonly schema: typeof SCHEMA;
  readonly machine: MachineInfo;
  readonly mode: 'full' | 'quick';
  readonly method: Method;
  readonly suites: SuiteStatus[];
  readonly figures: Figure[];
  readonly capacity: CapacityOutcome | null;
  readonly drain: DrainFigure[];
  readonly goals: Goal[];
  readonly notes: string[];
}

/**
 * This machine and runtime, stamped with `date`.
 *
 * @example
 * machineInfo(new Date()).node; // 'v20.20.2'
 */
export function machineInfo(date: Date): MachineInfo {
  const cpuList = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    platform: process.platform,
    arch: process.arch,
    totalMemoryBytes: totalmem(),
    date: date.toISOString(),
  };
}

function fromCell(suite: string, c: CellResult): Omit<Figure, 'ratioToFloor' | 'floor'> {
  return {
    suite,
    workload: c.workload,
    workloadLabel: workloadLabel(c.workload),
    contender: c.contender,
    label: contenderLabel(c.contender),
    unit: c.unit,
    median: c.median,
    runMedians: c.runMedians,
    min: c.min,
    max: c.max,
    rmePct: c.rmePct,
    ...(c.note !== undefined ? { note: c.note } : {}),
  };
}

function fromMemory(m: MemoryResult): Omit<Figure, 'ratioToFloor' | 'floor'> {
  return {
    suite: 'memory',
    workload: m.workload,
    workloadLabel: workloadLabel(m.workload),
    contender: m.contender,
    label: contenderLabel(m.contender),
    unit: 'bytes/thread',
    median: m.median,
    runMedians: [m.median],
    min: m.median,
    max: m.median,
    rmePct: 0,
    threads: m.threads,
    verifiedBlocked: m.verifiedBlocked,
    ...(m.note !== undefined ? { note: m.note } : {}),
  };
}

function drainFigures(outputs: readonly SuiteOutput[]): DrainFigure[] {
  return outputs.flatMap((o) =>
    o.drain.map((d) => {
      const sizes = o.drain.filter((e) => e.workload === d.workload);
      const smallest = sizes.reduce((a, b) => (b.n < a.n ? b : a));
      const base = smallest.nsPerWake;
      return {
        ...d,
        suite: o.suite,
        workloadLabel: workloadLabel(d.workload),
        ratioToSmallest: d.nsPerWake === null || base === null ? null : d.nsPerWake / base,
      };
    }),
  );
}

/**
 * Builds the results document from the suites' outputs and statuses.
 *
 * @example
 * const doc = assembleResults(new Date(), methodFor(false), outputs, statuses, capacity, notes);
 */
export function assembleResults(
  date: Date,
  method: Method,
  outputs: readonly SuiteOutput[],
  suites: SuiteStatus[],
  capacity: CapacityOutcome | null,
  notes: string[],
): BenchResults {
  const raw = outputs.flatMap((o) => [
    ...o.cells.map((c) => fromCell(o.suite, c)),
    ...o.memory.map(fromMemory),
  ]);
  const figures: Figure[] = raw.map((f) => {
    const floorRef = WORKLOADS[f.workload]?.floor;
    const floor =
      floorRef === undefined
        ? undefined
        : raw.find(
            (g) =>
              g.workload === floorRef.workload &&
              g.contender === floorRef.contender &&
              g.suite === f.suite,
          );
    return {
      ...f,
      ratioToFloor: floor === undefined ? null : f.median / floor.median,
      floor: floorRef === undefined ? '' : `${floorRef.workload}/${floorRef.contender}`,
    };
  });
  const drain = drainFigures(outputs);
  return {
    schema: SCHEMA,
    machine: machineInfo(date),
    mode: method.quick ? 'quick' : 'full',
    method,
    suites,
    figures,
    capacity,
    drain,
    goals: evaluateGoals(figures, capacity, drain, method.quick),
    notes,
  };
}

type Check = (value: unknown) => boolean;
const isNum: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isStr: Check = (v) => typeof v === 'string';
const isBool: Check = (v) => typeof v === 'boolean';
const orNull =
  (c: Check): Check =>
  (v) =>
    v === null || c(v);
const isArr =
  (c: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(c);

function fields(
  where: string,
  obj: unknown,
  spec: Record<string, Check>,
  problems: string[],
): void {
  if (obj === null || typeof obj !== 'object') {
    problems.push(`${where}: not an object`);
    return;
  }
  for (const [key, check] of Object.entries(spec)) {
    if (!check((obj as Record<string, unknown>)[key]))
      problems.push(`${where}.${key}: missing or of the wrong type`);
  }
}

/**
 * Checks that `doc` has the documented shape; returns the problems found (empty when valid).
 *
 * @example
 * validateResults(JSON.parse(readFileSync('bench/results/latest.json', 'utf8'))); // []
 */
export function validateResults(doc: unknown): string[] {
  const problems: string[] = [];
  fields(
    'results',
    doc,
    {
      schema: (v) => v === SCHEMA,
      mode: (v) => v === 'full' || v === 'quick',
      notes: isArr(isStr),
    },
    problems,
  );
  if (problems.length > 0) return problems;
  const d = doc as BenchResults;
  fields(
    'machine',
    d.machine,
    {
      node: isStr,
      v8: isStr,
      cpu: isStr,
      cores: isNum,
      platform: isStr,
      arch: isStr,
      totalMemoryBytes: isNum,
      date: isStr,
    },
    problems,
  );
  fields(
    'method',
    d.method,
    {
      quick: isBool,
      runs: isNum,
      samplesPerRun: isNum,
      warmupSeconds: isNum,
      sampleSeconds: isNum,
    },
    problems,
  );
  if (!Array.isArray(d.suites)) problems.push('suites: not an array');
  else
    d.suites.forEach((s, i) =>
      fields(
        `suites[${i}]`,
        s,
        { name: isStr, ok: isBool, seconds: isNum, error: orNull(isStr), notes: isArr(isStr) },
        problems,
      ),
    );
  if (!Array.isArray(d.figures)) problems.push('figures: not an array');
  else {
    d.figures.forEach((f, i) =>
      fields(
        `figures[${i}]`,
        f,
        {
          suite: isStr,
          workload: isStr,
          workloadLabel: isStr,
          contender: isStr,
          label: isStr,
          unit: (v) => v === 'ns/switch' || v === 'ns/thread' || v === 'bytes/thread',
          median: isNum,
          runMedians: isArr(isNum),
          min: isNum,
          max: isNum,
          rmePct: isNum,
          ratioToFloor: orNull(isNum),
          floor: isStr,
        },
        problems,
      ),
    );
  }
  if (d.capacity !== null) {
    fields(
      'capacity',
      d.capacity,
      {
        threads: isNum,
        verifiedBlocked: isNum,
        depth: isNum,
        heapBeforeBytes: isNum,
        heapUsedBytes: isNum,
        heapLimitBytes: isNum,
        fits: isBool,
        maxOldSpaceSizeMb: orNull(isNum),
        drained: isNum,
        drainSeconds: isNum,
        drainComplete: isBool,
      },
      problems,
    );
  }
  if (!Array.isArray(d.drain)) problems.push('drain: not an array');
  else {
    d.drain.forEach((f, i) =>
      fields(
        `drain[${i}]`,
        f,
        {
          suite: isStr,
          workload: isStr,
          workloadLabel: isStr,
          n: isNum,
          status: (v) => v === 'complete' || v === 'partial' || v === 'skipped',
          reps: isNum,
          nsPerWake: orNull(isNum),
          repNsPerWake: isArr(isNum),
          blockNsPerThread: orNull(isNum),
          released: isNum,
          drainSeconds: isNum,
          ratioToSmallest: orNull(isNum),
        },
        problems,
      ),
    );
  }
  if (!Array.isArray(d.goals)) problems.push('goals: not an array');
  else {
    d.goals.forEach((g, i) =>
      fields(
        `goals[${i}]`,
        g,
        {
          id: isStr,
          text: isStr,
          kind: (v) => v === 'at-most' || v === 'at-least' || v === 'info',
          target: isNum,
          value: orNull(isNum),
          perRun: isArr(isNum),
          pass: orNull(isBool),
        },
        problems,
      ),
    );
  }
  return problems;
}
