/**
 * Schedules as compact strings, and the choosers that make them: what the explorer records for
 * every run so that a failure can be replayed exactly.
 *
 * Interface: Schedule (parsed), parseSchedule(text), formatSchedule(schedule), decisionsOf(list
 * text), formatDecisions(decisions), Chooser, chooserFor(schedule).
 * Forms (all replay exactly, given the same scenario):
 *   random:p=0.25,seed=7      seeded; at each choice, a preemption with probability p
 *   pct:d=2,k=40,seed=7       PCT with bug depth d over k steps
 *   list:3x0,1,2x0,2          the decision list: at the i-th point with a choice (two or more
 *                             threads runnable), the index among them; 0 is the kernel's own
 *                             FIFO choice, so decisions past the end are 0 and trailing 0s drop
 * Invariants: formatSchedule(parseSchedule(s)) === s for every string this module makes; a
 * malformed string is an InvalidArgumentError and nothing runs; every list has at most
 * MAX_DECISIONS entries.
 */
import { InvalidArgumentError } from '../index.ts';
import { SeededRandom, type Thread } from '../spi.ts';

/** Longest decision list accepted (a run of the explorer has a step budget well below). */
export const MAX_DECISIONS = 1_000_000;
/** PCT bug depths accepted: d-1 priority change points; CHESS's bugs needed at most 2-3. */
export const MAX_PCT_DEPTH = 16;

/** A replayed decision list names a thread a point does not have: not this scenario's. */
export class ScheduleMismatchError extends InvalidArgumentError {}

/** A parsed schedule. */
export type Schedule =
  | { readonly kind: 'random'; readonly p: number; readonly seed: number }
  | { readonly kind: 'pct'; readonly d: number; readonly k: number; readonly seed: number }
  | { readonly kind: 'list'; readonly decisions: readonly number[] };

/** Picks, at each point with a choice, an index among the runnable threads (FIFO order). */
export interface Chooser {
  /** `at`: how many choices were made before this one in the run; `step`: dispatches so far. */
  choose(runnable: readonly Thread[], at: number, step: number): number;
}

/**
 * Parses a schedule string (see the module comment for the forms).
 *
 * @example
 * parseSchedule('pct:d=2,k=40,seed=7'); // { kind: 'pct', d: 2, k: 40, seed: 7 }
 */
export function parseSchedule(text: string): Schedule {
  if (typeof text !== 'string') throw new InvalidArgumentError('a schedule must be a string');
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const body = colon < 0 ? '' : text.slice(colon + 1);
  if (kind === 'list') return { kind, decisions: decisionsOf(body) };
  if (kind !== 'random' && kind !== 'pct')
    throw new InvalidArgumentError(
      `schedule '${text}': expected random:p=P,seed=S, pct:d=D,k=K,seed=S or list:DECISIONS`,
    );
  const fields = new Map<string, number>();
  for (const part of body === '' ? [] : body.split(',')) {
    const [name, value] = part.split('=');
    const n = Number(value);
    if (name === undefined || value === undefined || value === '' || !Number.isFinite(n))
      throw new InvalidArgumentError(`schedule '${text}': '${part}' is not name=number`);
    fields.set(name, n);
  }
  const need = (name: string, ok: (n: number) => boolean, what: string): number => {
    const n = fields.get(name);
    if (n === undefined || !ok(n))
      throw new InvalidArgumentError(`schedule '${text}': ${name} must be ${what}`);
    return n;
  };
  const seed = need('seed', Number.isSafeInteger, 'a safe integer');
  if (kind === 'random') {
    const p = need('p', (n) => n >= 0 && n <= 1, 'a probability in [0, 1]');
    if (fields.size !== 2)
      throw new InvalidArgumentError(`schedule '${text}': random takes p and seed`);
    return { kind, p, seed };
  }
  const d = need(
    'd',
    (n) => Number.isInteger(n) && n >= 1 && n <= MAX_PCT_DEPTH,
    `an integer in [1, ${MAX_PCT_DEPTH}]`,
  );
  const k = need('k', (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
  if (fields.size !== 3)
    throw new InvalidArgumentError(`schedule '${text}': pct takes d, k and seed`);
  return { kind, d, k, seed };
}

/**
 * The string form of a schedule.
 *
 * @example
 * formatSchedule({ kind: 'random', p: 0.25, seed: 7 }); // 'random:p=0.25,seed=7'
 */
export function formatSchedule(s: Schedule): string {
  if (s.kind === 'random') return `random:p=${s.p},seed=${s.seed}`;
  if (s.kind === 'pct') return `pct:d=${s.d},k=${s.k},seed=${s.seed}`;
  return `list:${formatDecisions(s.decisions)}`;
}

/**
 * A decision list as text: comma-separated indices, `NxV` for a run of N equal ones, trailing
 * zeros dropped.
 *
 * @example
 * formatDecisions([0, 0, 0, 1, 0, 0, 2, 0]); // '3x0,1,2x0,2'
 */
export function formatDecisions(decisions: readonly number[]): string {
  let end = decisions.length;
  while (end > 0 && decisions[end - 1] === 0) end--;
  const parts: string[] = [];
  for (let i = 0; i < end;) {
    let j = i + 1;
    while (j < end && decisions[j] === decisions[i]) j++;
    parts.push(j - i > 1 ? `${j - i}x${decisions[i]}` : String(decisions[i]));
    i = j;
  }
  return parts.join(',');
}

/**
 * Reads a decision list written by formatDecisions.
 *
 * @example
 * decisionsOf('3x0,1'); // [0, 0, 0, 1]
 */
export function decisionsOf(text: string): number[] {
  const out: number[] = [];
  if (text === '') return out;
  for (const part of text.split(',')) {
    const m = /^(?:(\d+)x)?(\d+)$/.exec(part);
    if (m === null) throw new InvalidArgumentError(`decision list: '${part}' is not N or NxV`);
    const count = m[1] === undefined ? 1 : Number(m[1]);
    if (out.length + count > MAX_DECISIONS)
      throw new InvalidArgumentError(`decision list longer than ${MAX_DECISIONS}`);
    for (let i = 0; i < count; i++) out.push(Number(m[2]));
  }
  return out;
}

/**
 * The chooser that makes `schedule`. A list chooser given an index a point does not have
 * throws (strict, for replay) or takes the last thread (lenient, for shrinking).
 *
 * @example
 * const chooser = chooserFor(parseSchedule('random:p=0.5,seed=1'));
 */
export function chooserFor(schedule: Schedule, lenient = false): Chooser {
  if (schedule.kind === 'random') return randomChooser(schedule.p, schedule.seed);
  if (schedule.kind === 'pct') return pctChooser(schedule.d, schedule.k, schedule.seed);
  return listChooser(schedule.decisions, lenient);
}

function randomChooser(p: number, seed: number): Chooser {
  const rng = new SeededRandom(seed);
  const threshold = Math.round(p * 2 ** 32);
  return {
    choose(runnable) {
      const n = runnable.length;
      // One draw per choice whatever the outcome, so a seed's later choices do not shift.
      const preempt = rng.nextUint32() < threshold;
      return preempt ? 1 + rng.below(n - 1) : 0;
    },
  };
}

/**
 * PCT (Burckhardt et al.): every thread gets a random priority above d when first seen; the
 * highest runnable one runs; at d-1 random steps in [1, k] the thread about to run drops to a
 * priority below every initial one (d-1, then d-2...). A bug of depth d shows with probability
 * at least 1/(n·k^(d-1)) per run.
 */
function pctChooser(d: number, k: number, seed: number): Chooser {
  const rng = new SeededRandom(seed);
  const changeAt: number[] = [];
  for (let i = 0; i < d - 1; i++) changeAt.push(1 + rng.below(k));
  changeAt.sort((a, b) => a - b);
  let nextChange = 0;
  const priority = new Map<number, number>();
  let lowered = 0;
  const prio = (t: Thread): number => {
    let p = priority.get(t.id);
    if (p === undefined) {
      p = d + 1 + rng.nextUint32() / 2 ** 32;
      priority.set(t.id, p);
    }
    return p;
  };
  const best = (runnable: readonly Thread[]): number => {
    let at = 0;
    for (let i = 1; i < runnable.length; i++) if (prio(runnable[i]!) > prio(runnable[at]!)) at = i;
    return at;
  };
  return {
    choose(runnable, _at, step) {
      // A change point that fell on a step without a choice applies at the next choice.
      while (nextChange < changeAt.length && changeAt[nextChange]! <= step) {
        nextChange++;
        const top = runnable[best(runnable)]!;
        lowered++;
        priority.set(top.id, d - lowered);
      }
      return best(runnable);
    },
  };
}

function listChooser(decisions: readonly number[], lenient: boolean): Chooser {
  return {
    choose(runnable, at) {
      const i = at < decisions.length ? decisions[at]! : 0;
      if (i < runnable.length) return i;
      if (lenient) return runnable.length - 1;
      throw new ScheduleMismatchError(
        `schedule does not fit this scenario: decision ${at} is ${i} but only ${runnable.length} threads are runnable there`,
      );
    },
  };
}
