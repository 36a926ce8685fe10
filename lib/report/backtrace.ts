/**
 * Backtraces of green threads: function name and source file:line of every frame.
 *
 * Interface: `backtrace(thread)` → frames, innermost first; `formatFrames(frames)`;
 * `backtraceSupport()` says which method is in use.
 *
 * How: a thread's frames are generator objects the scheduler already holds (`thread.frames`,
 * pushed by `yield* call(fn)`), so the hot path pays nothing. Only when a report is made (cold
 * path) each suspended generator is asked where it stopped, through an in-process
 * `node:inspector` session (whose `post` callbacks run synchronously): the generator is put in
 * a temporary global, `Runtime.evaluate` yields its objectId, `Runtime.getProperties` its
 * internal `[[GeneratorLocation]]` (scriptId, line, column) and `[[GeneratorFunction]]`, whose
 * own properties give its name and `[[FunctionLocation]]` (a generator suspended at its
 * function's start has not started). scriptId → URL comes from `Debugger.scriptParsed`
 * (enabled briefly, cached), then the position goes through the script's source map
 * (sourcemap.ts: node's table when source maps are on, else the script's own
 * `//# sourceMappingURL`), so lines are the .ts ones even under plain `node`.
 * The running thread (a report made from inside it, e.g. by a lock hook) is read from the
 * current JavaScript stack instead (a running generator's `[[GeneratorLocation]]` is its start),
 * through the same source maps; there, plain `yield*` delegation shows too.
 *
 * Invariants: never throws (a frame that cannot be located keeps its function name and a note);
 * at most MAX_FRAMES frames per thread; the inspector session is created on first use only.
 * Limitation: frames entered with plain `yield* fn()` (not `call`) are inside their caller's
 * generator and show as the caller's `yield*` line.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpu, type Routine } from '../kernel/operation.ts';
import type { StackFrame, Thread } from '../kernel/thread.ts';
import { originalPosition } from './sourcemap.ts';

export type { StackFrame } from '../kernel/thread.ts';

/** Deepest backtrace kept per thread; deeper frames are summarised in one line. */
export const MAX_FRAMES = 64;
const GLOBAL_SLOT = '__greenkernelBacktraceTarget';
const OBJECT_GROUP = 'greenkernel-backtrace';
const LIB_DIR = fileURLToPath(new URL('..', import.meta.url)); // lib/, whatever folder this file is in

interface InspectorSession {
  connect(): void;
  post(
    method: string,
    params: object,
    callback: (err: Error | null, result: unknown) => void,
  ): void;
  on(
    event: string,
    listener: (message: { params: { scriptId: string; url: string } }) => void,
  ): void;
}
type InspectorModule = { Session: new () => InspectorSession };

let session: InspectorSession | null | undefined; // undefined: not tried yet; null: unavailable
let unavailableReason = '';
const scriptUrls = new Map<string, string>();

/**
 * Which method backtraces use: 'inspector' (exact file:line) or 'names-only' (and why).
 *
 * @example
 * if (backtraceSupport().method !== 'inspector') console.warn(backtraceSupport().reason);
 */
export function backtraceSupport(): { method: 'inspector' | 'names-only'; reason: string } {
  return openSession() === null
    ? { method: 'names-only', reason: unavailableReason }
    : { method: 'inspector', reason: '' };
}

/**
 * The frames of `t`, innermost first: where each of its generators is suspended (or, for the
 * running thread, executing). Cold path: about 0.1-0.3 ms per frame.
 *
 * @example
 * for (const f of backtrace(thread)) console.log(`${f.fn} ${f.file}:${f.line}`);
 */
export function backtrace(t: Thread): StackFrame[] {
  const frames = t.frames;
  const out: StackFrame[] = [];
  const skipped = frames.length > MAX_FRAMES ? frames.length - MAX_FRAMES : 0;
  let last = frames.length - 1;
  if (t === cpu.current && last >= 0) {
    for (const f of runningFrames()) out.push(f);
    if (out.length === 0) out.push(locate(frames[last]!));
    last--;
  }
  try {
    for (let i = last; i >= skipped && out.length < MAX_FRAMES; i--) out.push(locate(frames[i]!));
  } finally {
    release();
  }
  if (skipped > 0)
    out.push({ fn: `... ${skipped} outer frame(s) omitted`, file: null, line: null, column: null });
  return out;
}

/**
 * Where each of `routines` (suspended generators, outermost first) stopped, innermost first, at
 * most MAX_FRAMES of them: the callers of a frame that just threw, for instance.
 *
 * @example
 * const callers = locateFrames(thread.frames.slice(0, -1));
 */
export function locateFrames(routines: readonly Routine[]): StackFrame[] {
  const out: StackFrame[] = [];
  try {
    for (let i = routines.length - 1; i >= 0 && out.length < MAX_FRAMES; i--)
      out.push(locate(routines[i]!));
  } finally {
    release();
  }
  return out;
}

/**
 * Go-style lines: `fn()` then the tab-indented `file:line:column`, paths relative to `cwd`.
 *
 * @example
 * console.log(formatFrames(backtrace(t), '  ').join('\n'));
 */
export function formatFrames(
  frames: readonly StackFrame[],
  indent = '',
  cwd = process.cwd(),
): string[] {
  const lines: string[] = [];
  for (const f of frames) {
    lines.push(`${indent}${f.fn}()${f.note !== undefined ? `  (${f.note})` : ''}`);
    if (f.file !== null)
      lines.push(
        `${indent}\t${displayPath(f.file, cwd)}:${f.line ?? '?'}${f.column !== null ? `:${f.column}` : ''}`,
      );
  }
  return lines;
}

/**
 * A file path as shown in reports: relative to `cwd` when inside it.
 *
 * @example
 * displayPath('/work/main/demos/ab-ba.ts', '/work/main'); // 'demos/ab-ba.ts'
 */
export function displayPath(file: string, cwd = process.cwd()): string {
  const prefix = cwd.endsWith('/') ? cwd : cwd + '/';
  return file.startsWith(prefix) ? file.slice(prefix.length) : file;
}

// ---------------------------------------------------------------- suspended generators

function openSession(): InspectorSession | null {
  if (session !== undefined) return session;
  try {
    const inspector = createRequire(import.meta.url)('node:inspector') as InspectorModule;
    const s = new inspector.Session();
    s.connect();
    s.on('Debugger.scriptParsed', (m) => scriptUrls.set(m.params.scriptId, m.params.url));
    session = s;
    // Probe: throws if callbacks are not synchronous. No domain is enabled (Runtime.enable
    // would route every console call through the session); Debugger is enabled only briefly.
    post('Runtime.evaluate', { expression: '0' });
  } catch (error) {
    session = null;
    unavailableReason = `node:inspector unavailable (${error instanceof Error ? error.message : String(error)}): function names only`;
  }
  return session;
}

/** A synchronous round trip on the same-thread session. */
function post(method: string, params: object): Record<string, unknown> {
  let result: unknown = undefined;
  let failure: Error | null = null;
  let answered = false;
  session!.post(method, params, (err, r) => {
    answered = true;
    failure = err;
    result = r;
  });
  if (!answered) throw new Error(`inspector ${method} did not answer synchronously`);
  if (failure !== null) throw failure;
  return (result ?? {}) as Record<string, unknown>;
}

interface RemoteObject {
  objectId?: string;
  value?: unknown;
}
interface InternalProperty {
  name: string;
  value?: RemoteObject & { value?: { scriptId: string; lineNumber: number; columnNumber: number } };
}

/** Where suspended generator `g` stopped, mapped to its source. */
function locate(g: Routine): StackFrame {
  if (openSession() === null)
    return { fn: generatorName(g), file: null, line: null, column: null, note: unavailableReason };
  const slot = globalThis as Record<string, unknown>;
  try {
    slot[GLOBAL_SLOT] = g;
    const evaluated = post('Runtime.evaluate', {
      expression: `globalThis.${GLOBAL_SLOT}`,
      objectGroup: OBJECT_GROUP,
    });
    const objectId = (evaluated.result as RemoteObject).objectId!;
    const props = post('Runtime.getProperties', { objectId, ownProperties: true });
    const internal = (props.internalProperties ?? []) as InternalProperty[];
    let fn = generatorName(g);
    let where: { scriptId: string; lineNumber: number; columnNumber: number } | undefined;
    let state = '';
    let start: { scriptId: string; lineNumber: number; columnNumber: number } | undefined;
    for (const p of internal) {
      if (p.name === '[[GeneratorLocation]]') where = p.value?.value;
      else if (p.name === '[[GeneratorState]]') state = String(p.value?.value ?? '');
      else if (p.name === '[[GeneratorFunction]]' && p.value?.objectId !== undefined) {
        // One more round trip gives the function's name and where it starts (a generator that
        // has not started yet is "suspended" at its start).
        const fnProps = post('Runtime.getProperties', {
          objectId: p.value.objectId,
          ownProperties: true,
        });
        const own = (fnProps.result ?? []) as { name: string; value?: RemoteObject }[];
        const name = own.find((x) => x.name === 'name')?.value?.value;
        if (typeof name === 'string' && name !== '') fn = name;
        start = ((fnProps.internalProperties ?? []) as InternalProperty[]).find(
          (x) => x.name === '[[FunctionLocation]]',
        )?.value?.value;
      }
    }
    if (where === undefined)
      return { fn, file: null, line: null, column: null, note: 'location unknown' };
    if (
      state === 'suspended' &&
      start !== undefined &&
      start.scriptId === where.scriptId &&
      start.lineNumber === where.lineNumber &&
      start.columnNumber === where.columnNumber
    ) {
      state = 'not started';
    }
    const frame = mapPosition(fn, scriptUrl(where.scriptId), where.lineNumber, where.columnNumber);
    return state === 'suspended' && frame.note === undefined
      ? frame
      : { ...frame, note: noteFor(state, frame.note) };
  } catch (error) {
    return {
      fn: generatorName(g),
      file: null,
      line: null,
      column: null,
      note: `inspector failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    delete slot[GLOBAL_SLOT];
  }
}

/** Frees the inspector's handles to the objects one backtrace looked at. */
function release(): void {
  if (session === null || session === undefined) return;
  try {
    post('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP });
  } catch {
    // nothing to release
  }
}

function noteFor(state: string, note: string | undefined): string {
  const s =
    state === 'suspended' || state === ''
      ? ''
      : state === 'running'
        ? 'running: function start shown'
        : state;
  return [s, note].filter((x) => x !== undefined && x !== '').join('; ');
}

/** scriptId → URL; refreshes the cache (Debugger.enable replays scriptParsed) when unknown. */
function scriptUrl(scriptId: string): string | null {
  let url = scriptUrls.get(scriptId);
  if (url === undefined) {
    post('Debugger.enable', {});
    post('Debugger.disable', {});
    url = scriptUrls.get(scriptId);
    if (url === undefined) scriptUrls.set(scriptId, ''); // unknown for good: do not ask again
  }
  return url === undefined || url === '' ? null : url;
}

/** Maps a 0-based generated position through the script's source map; 1-based result. */
function mapPosition(fn: string, url: string | null, line0: number, col0: number): StackFrame {
  if (url === null)
    return { fn, file: null, line: line0 + 1, column: col0 + 1, note: 'script has no URL' };
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  const original = originalPosition(path, line0, col0);
  if (original !== null)
    return { fn, file: original.file, line: original.line0 + 1, column: original.column0 + 1 };
  return { fn, file: path, line: line0 + 1, column: col0 + 1 };
}

function generatorName(g: Routine): string {
  // A generator's prototype chain leads to its function's `prototype`; its constructor is not
  // set for generator functions, so the name is only known through the inspector.
  const tag = Object.prototype.toString.call(g);
  return tag === '[object Generator]' ? '<generator>' : tag;
}

// ---------------------------------------------------------------- the running thread

interface CallSite {
  getFileName(): string | null | undefined;
  getFunctionName(): string | null;
  getTypeName(): string | null;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

/**
 * The running thread's top frame(s) from the JavaScript stack: every frame below greenkernel's
 * own entry frames (hooks, primitives) down to the scheduler's resume of the thread.
 */
function runningFrames(): StackFrame[] {
  const sites = captureCallSites();
  // Stack (innermost first): report code, hook, primitive (all in lib/), then the thread's code,
  // then the native `next` (or throw/return) by which the scheduler (in lib/) resumed it. Thread
  // code = generator frames (each one followed by a native resume frame) and any plain function
  // they called; a resume called from the thread's own code is plain `yield*` delegation.
  let end = 0;
  while (end < sites.length && !(isResume(sites[end]) && isLibFile(sites[end + 1]?.getFileName())))
    end++;
  let start = 0;
  while (start < end && isLibFile(sites[start]!.getFileName()) && !isResume(sites[start + 1]))
    start++;
  const out: StackFrame[] = [];
  for (let i = start; i < end && out.length < MAX_FRAMES; i++) {
    const s = sites[i]!;
    if (isResume(s)) continue;
    const file = s.getFileName();
    const line = s.getLineNumber();
    const col = s.getColumnNumber();
    const fn = s.getFunctionName() ?? '<anonymous>';
    if (file === null || file === undefined || line === null || col === null)
      out.push({ fn, file: null, line: null, column: null });
    else
      out.push(
        mapPosition(
          fn,
          file.startsWith('file:') ? file : pathToFileURL(file).href,
          line - 1,
          col - 1,
        ),
      );
  }
  return out;
}

function captureCallSites(): CallSite[] {
  const previous = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = MAX_FRAMES * 4;
    Error.prepareStackTrace = (_error, sites) => sites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, captureCallSites);
    return Array.isArray(holder.stack) ? (holder.stack as CallSite[]) : [];
  } catch {
    return [];
  } finally {
    Error.prepareStackTrace = previous;
    Error.stackTraceLimit = limit;
  }
}

function isResume(s: CallSite | undefined): boolean {
  if (s === undefined) return false;
  const f = s.getFileName();
  if (f !== null && f !== undefined) return false;
  const name = s.getFunctionName();
  return name === 'next' || name === 'throw' || name === 'return';
}

function isLibFile(file: string | null | undefined): boolean {
  if (file === null || file === undefined) return true; // native frames above the thread's code
  const path = file.startsWith('file:') ? fileURLToPath(file) : file;
  return path.startsWith(LIB_DIR);
}
