/**
 * Crash-checker workloads, and the model of what each must find after a crash.
 *
 * Interface: `WORKLOADS` (name -> workload), `Recorder` — the calls a workload makes (each
 * forwarded to the FileSystem and recorded in the model), `expectedAt(model, prefix)`.
 * The model: for every path, the sequence of its versions (file contents, 'dir', or null for
 * absent), each stamped with the log position at which the call that made it started; and the
 * checkpoints — at an fsync of a path (or a sync: every path), the version each path had then,
 * stamped with the log position when the fsync returned. After a crash at log prefix P, a path
 * checkpointed at or before P must hold its checkpointed version or one made by a call that
 * started before P (a later call may have been committed too: the journal commits everything).
 * Limits: a workload is small (at most a few hundred writes): the checker builds several crash
 * states per write.
 */
import { sleep, type Operation, type Routine } from '../index.ts';
import type { FileHandle, FileSystem } from './fs.ts';

/** A path's contents in the model. */
export type Version = Uint8Array | 'dir' | null;

export interface Model {
  readonly history: Map<string, { t: number; v: Version }[]>;
  readonly checkpoints: { t: number; versions: Map<string, number> }[];
}

/** What a workload calls: the file system's calls, by path, recorded in the model. */
export class Recorder {
  readonly model: Model = { history: new Map([['/', [{ t: 0, v: 'dir' }]]]), checkpoints: [] };
  private readonly now: () => number;

  /**
   * @example
   * const r = new Recorder(fs, () => disk.log.length);
   */
  constructor(
    readonly fs: FileSystem,
    now: () => number,
  ) {
    this.now = now;
  }

  private current(path: string): Version {
    const h = this.model.history.get(path);
    return h === undefined ? null : h[h.length - 1]!.v;
  }

  private set(path: string, t: number, v: Version): void {
    let h = this.model.history.get(path);
    if (h === undefined) this.model.history.set(path, (h = [{ t: 0, v: null }]));
    h.push({ t, v });
  }

  /** @example yield* r.mkdir('/a'); */
  *mkdir(path: string): Operation<void> {
    const t = this.now();
    yield* this.fs.mkdir(path);
    this.set(path, t, 'dir');
  }

  /** @example yield* r.rmdir('/a'); */
  *rmdir(path: string): Operation<void> {
    const t = this.now();
    yield* this.fs.rmdir(path);
    this.set(path, t, null);
  }

  /** Creates an empty file (or opens an existing one). @example yield* r.create('/a'); */
  *create(path: string): Operation<FileHandle> {
    const t = this.now();
    const h = yield* this.fs.open(path, { create: true });
    if (!(this.current(path) instanceof Uint8Array)) this.set(path, t, new Uint8Array(0));
    return h;
  }

  /** @example yield* r.write('/a', 0, bytes); */
  *write(path: string, offset: number, data: Uint8Array): Operation<void> {
    const t = this.now();
    const h = yield* this.fs.open(path);
    const n = yield* this.fs.write(h, offset, data);
    const old = this.current(path) as Uint8Array;
    const next = new Uint8Array(Math.max(old.length, offset + n));
    next.set(old);
    next.set(data.subarray(0, n), offset);
    this.set(path, t, next);
  }

  /** @example yield* r.truncate('/a', 100); */
  *truncate(path: string, size: number): Operation<void> {
    const t = this.now();
    yield* this.fs.truncate(yield* this.fs.open(path), size);
    const old = this.current(path) as Uint8Array;
    const next = new Uint8Array(size);
    next.set(old.subarray(0, size));
    this.set(path, t, next);
  }

  /** @example yield* r.unlink('/a'); */
  *unlink(path: string): Operation<void> {
    const t = this.now();
    yield* this.fs.unlink(path);
    this.set(path, t, null);
  }

  /** @example yield* r.rename('/a.tmp', '/a'); */
  *rename(from: string, to: string): Operation<void> {
    const t = this.now();
    yield* this.fs.rename(from, to);
    if (from === to) return;
    const inside = (p: string, root: string) => p === root || p.startsWith(root + '/');
    const moving = [...this.model.history.keys()]
      .filter((p) => inside(p, from) && this.current(p) !== null)
      .map((p) => [p, this.current(p)] as const);
    for (const p of [...this.model.history.keys()])
      if (inside(p, to) && this.current(p) !== null) this.set(p, t, null);
    for (const [p] of moving) this.set(p, t, null);
    for (const [p, v] of moving) this.set(to + p.slice(from.length), t, v);
  }

  /** Makes `path` (and its directories) durable: a checkpoint. @example yield* r.fsync('/a'); */
  *fsync(path: string): Operation<void> {
    const versions = new Map<string, number>();
    for (let p = path; ; p = p.slice(0, p.lastIndexOf('/')) || '/') {
      versions.set(p, (this.model.history.get(p)?.length ?? 1) - 1);
      if (p === '/') break;
    }
    // A directory has no handle: syncing everything makes it durable (the journal commits
    // everything anyway).
    if (this.current(path) === 'dir') yield* this.fs.sync();
    else yield* this.fs.fsync(yield* this.fs.open(path));
    this.model.checkpoints.push({ t: this.now(), versions });
  }

  /** Makes everything durable: a checkpoint of every path. @example yield* r.sync(); */
  *sync(): Operation<void> {
    const versions = new Map<string, number>();
    for (const [p, h] of this.model.history) versions.set(p, h.length - 1);
    yield* this.fs.sync();
    this.model.checkpoints.push({ t: this.now(), versions });
  }
}

/**
 * What a crash after log prefix `prefix` must show: for each checkpointed path, the versions
 * allowed.
 *
 * @example
 * for (const [path, allowed] of expectedAt(model, 40)) ...
 */
export function expectedAt(model: Model, prefix: number): Map<string, Version[]> {
  const out = new Map<string, Version[]>();
  for (const cp of model.checkpoints) {
    if (cp.t > prefix) continue;
    for (const [path, vi] of cp.versions) {
      const h = model.history.get(path)!;
      const allowed = h
        .slice(vi)
        .filter((x, k) => k === 0 || x.t < prefix)
        .map((x) => x.v);
      const had = out.get(path);
      // A later checkpoint narrows what an earlier one allowed: keep the intersection.
      out.set(
        path,
        had === undefined ? allowed : allowed.filter((v) => had.some((w) => same(v, w))),
      );
    }
  }
  return out;
}

/**
 * Equal versions (same bytes, both directories, or both absent).
 *
 * @example
 * same(new Uint8Array([1]), new Uint8Array([1])); // true
 */
export function same(a: Version, b: Version): boolean {
  if (a === b) return true;
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length)
    return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A workload: calls on a Recorder; `spawn` runs a concurrent user thread and returns its join. */
export type Workload = (
  r: Recorder,
  spawn: (body: () => Routine<void>) => () => Operation<void>,
) => Routine<void>;

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 17 + (i >> 7)) & 0xff;
  return out;
}

/** The checker's workloads, by name (each a few operations, as CrashMonkey's: most bugs need ≤ 3). */
export const WORKLOADS: Readonly<Record<string, Workload>> = {
  *create(r) {
    for (let i = 0; i < 8; i++) {
      yield* r.create(`/f${i}`);
      yield* r.fsync(`/f${i}`);
    }
  },
  *'write-fsync'(r) {
    yield* r.create('/a');
    yield* r.write('/a', 0, bytes(1500, 1));
    yield* r.fsync('/a');
    yield* r.write('/a', 700, bytes(2000, 2));
    yield* r.fsync('/a');
  },
  *'rename-over'(r) {
    yield* r.create('/a');
    yield* r.write('/a', 0, bytes(900, 3));
    yield* r.fsync('/a');
    yield* r.create('/a.tmp');
    yield* r.write('/a.tmp', 0, bytes(1300, 4));
    yield* r.fsync('/a.tmp');
    yield* r.rename('/a.tmp', '/a');
    yield* r.fsync('/a');
  },
  *unlink(r) {
    for (let i = 0; i < 3; i++) {
      yield* r.create(`/u${i}`);
      yield* r.write(`/u${i}`, 0, bytes(600 * (i + 1), i));
    }
    yield* r.sync();
    yield* r.unlink('/u1');
    yield* r.sync();
    yield* r.unlink('/u0');
    yield* r.create('/u3');
    yield* r.sync();
  },
  *'deep-dirs'(r) {
    let p = '';
    for (let i = 0; i < 6; i++) {
      p += `/d${i}`;
      yield* r.mkdir(p);
    }
    yield* r.create(`${p}/leaf`);
    yield* r.write(`${p}/leaf`, 0, bytes(800, 5));
    yield* r.fsync(`${p}/leaf`);
    yield* r.rename('/d0/d1/d2', '/d0/moved');
    yield* r.sync();
  },
  *indirect(r) {
    yield* r.create('/big');
    yield* r.write('/big', 0, bytes(5800, 6));
    yield* r.fsync('/big');
    yield* r.write('/big', 5800, bytes(4000, 7)); // crosses NDIRECT blocks of 512 bytes
    yield* r.fsync('/big');
    yield* r.truncate('/big', 3000);
    yield* r.fsync('/big');
  },
  *'concurrent-writers'(r, spawn) {
    yield* r.mkdir('/c');
    const joins = [0, 1, 2].map((w) =>
      spawn(function* () {
        for (let i = 0; i < 4; i++) {
          yield* r.create(`/c/w${w}`);
          yield* r.write(`/c/w${w}`, i * 400, bytes(400, w * 10 + i));
          yield* r.fsync(`/c/w${w}`);
        }
      }),
    );
    for (const join of joins) yield* join();
  },
  *truncate(r) {
    yield* r.create('/t');
    yield* r.write('/t', 0, bytes(4000, 8));
    yield* r.sync();
    yield* r.truncate('/t', 1000);
    yield* r.fsync('/t');
    yield* r.truncate('/t', 2500);
    yield* r.write('/t', 2000, bytes(100, 9));
    yield* r.fsync('/t');
  },
  *rmdir(r) {
    yield* r.mkdir('/x');
    yield* r.mkdir('/x/y');
    yield* r.create('/x/y/f');
    yield* r.sync();
    yield* r.unlink('/x/y/f');
    yield* r.rmdir('/x/y');
    yield* r.fsync('/x');
    yield* r.rmdir('/x');
    yield* r.sync();
  },
  *'append-log'(r) {
    yield* r.create('/log');
    for (let i = 0; i < 10; i++) {
      yield* r.write('/log', i * 200, bytes(200, 20 + i));
      yield* r.fsync('/log');
    }
  },
  *'rename-dir-over'(r) {
    yield* r.mkdir('/old');
    yield* r.mkdir('/new');
    yield* r.create('/new/f');
    yield* r.write('/new/f', 0, bytes(300, 11));
    yield* r.sync();
    yield* r.rename('/new', '/old'); // over an empty directory
    yield* r.sync();
  },
  *'big-commit'(r) {
    // No fsync until the end: commits happen when the log fills (about 48 blocks each).
    yield* r.mkdir('/m');
    for (let i = 0; i < 5; i++) {
      yield* r.create(`/m/f${i}`);
      yield* r.write(`/m/f${i}`, 0, bytes(6000, 30 + i));
    }
    yield* r.sync();
    yield* r.unlink('/m/f2');
    yield* r.write('/m/f3', 6000, bytes(3000, 40));
    yield* r.sync();
  },
  *syncer(r) {
    // The syncer thread commits after 50 ms of kernel time: no fsync here until the end.
    yield* r.create('/s');
    yield* r.write('/s', 0, bytes(3000, 50));
    yield* sleep(120);
    yield* r.write('/s', 1000, bytes(3000, 51));
    yield* r.create('/s2');
    yield* sleep(120);
    yield* r.sync();
  },
  *overwrite(r) {
    yield* r.create('/o');
    for (let i = 0; i < 6; i++) {
      yield* r.write('/o', 0, bytes(4096, 60 + i));
      yield* r.fsync('/o');
    }
  },
};
