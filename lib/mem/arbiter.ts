/**
 * The memory arbiter: a fixed budget of bytes shared by components (caches, buffers), in the
 * manner of Genode's RAM-quota parent.
 *
 * Interface: `new MemoryArbiter({ budget })`, `arbiter.register({ name, minimum, onYield })`
 * returns a `MemoryClient` holding `minimum` bytes; `yield* client.request(bytes)` returns true
 * (granted: quota grows) or false (denied); `client.release(bytes)` gives bytes back;
 * `client.answer(released)` answers a yield request; `arbiter.events` is the record to plot.
 *
 * Protocol: a request that free budget covers is granted at once. Otherwise, if the surplus of
 * the other components (quota above minimum, those with an `onYield` and no yield pending)
 * covers what is missing, they are asked to yield, LARGEST SURPLUS FIRST (ties: registration
 * order), each for at most its surplus, until the asks cover the shortfall — the largest
 * holders give first, so the fewest components are disturbed. Each answers by releasing what it
 * can and calling `answer`. The request is granted as soon as free budget covers it, and
 * denied when every asked component answered and it still does not, or when the answer
 * deadline (virtual time) passes: the components that did not answer are reported (event
 * 'unanswered' and a kernel warning) and not waited for. Requests queue FIFO.
 * After a denial the component is in back-off for `backoffMs`: its requests are denied at once
 * without an event or a yield round (counted in `suppressed`), so a denied component cannot
 * flood the others with yield requests (Genode's cache kept requesting once grants stopped).
 *
 * Invariants (asserted): handed out = sum of quotas <= budget; quota >= minimum; a component
 * has at most one yield request pending; the event record is bounded (MAX_MEMORY_EVENTS).
 */
import {
  GreenkernelError,
  InvalidArgumentError,
  TimeoutError,
  type Operation,
  type Routine,
} from '../index.ts';
import {
  NO_OWNERS,
  Resource,
  assert,
  block,
  completed,
  enter,
  registerWaitKind,
  suspended,
  wake,
  type KernelCore,
  type Thread,
} from '../spi.ts';

/** A thread waiting for a memory-quota request to be granted or denied (bounded by a deadline). */
export const WAIT_MEMORY = registerWaitKind({
  name: 'memory quota',
  durable: false, // the answer deadline ends it
  ownerless: true,
  phrase: (r) => `waits for memory quota from arbiter "${r.name}"`,
});

/** Events kept at most; later ones are counted in `eventsDropped`. */
export const MAX_MEMORY_EVENTS = 100_000;
/** Components one arbiter accepts. */
export const MAX_MEMORY_CLIENTS = 1024;

export type MemoryEventKind =
  | 'quota' // a component registered with its minimum
  | 'request'
  | 'grant'
  | 'deny'
  | 'yield' // the arbiter asked a component to yield `bytes`
  | 'answer' // a component answered a yield request, having released `bytes`
  | 'release'
  | 'unanswered'; // a component did not answer before the deadline

/** One arbiter event; `quota` is the component's quota after it. */
export interface MemoryEvent {
  readonly time: number;
  readonly kind: MemoryEventKind;
  readonly client: string;
  readonly bytes: number;
  readonly quota: number;
}

export interface MemoryArbiterOptions {
  /** Bytes shared by all components. */
  readonly budget: number;
  readonly name?: string;
  /** How long a request waits for yield answers (virtual ms). Default 100. */
  readonly answerDeadlineMs?: number;
  /** How long a denied component's requests are refused without a yield round. Default 50. */
  readonly backoffMs?: number;
}

export interface MemoryClientOptions {
  readonly name: string;
  /** Bytes guaranteed: held from registration, never asked back. */
  readonly minimum: number;
  /**
   * The arbiter asks for `bytes`: release what you can (`release`), then `answer`. Called on the
   * requester's thread: do not block here, hand the work to your own thread.
   */
  readonly onYield?: (bytes: number) => void;
}

interface Pending {
  readonly client: MemoryClient;
  readonly bytes: number;
  readonly thread: Thread;
  readonly asked: MemoryClient[];
  granted: boolean;
  settled: boolean;
}

/** A component's account with the arbiter. */
export class MemoryClient {
  /** Bytes held now (>= minimum). */
  quota: number;
  /** Bytes the arbiter is waiting for this component to yield (0: no yield pending). */
  pendingYield = 0;
  /** Requests refused during back-off, without an event. */
  suppressed = 0;
  /** @internal */ deniedUntil = -Infinity;

  /** @internal */
  constructor(
    readonly arbiter: MemoryArbiter,
    readonly name: string,
    readonly minimum: number,
    /** @internal */ readonly onYield: ((bytes: number) => void) | undefined,
  ) {
    this.quota = minimum;
  }

  /** Bytes above the minimum: what a yield request may ask back. */
  get surplus(): number {
    return this.quota - this.minimum;
  }

  /** True while a denial's back-off lasts at `now`: a request would be refused at once. */
  inBackoff(now: number): boolean {
    return now < this.deniedUntil;
  }

  /**
   * Asks for `bytes` more quota; returns whether it was granted.
   *
   * @example
   * if (yield* client.request(4096)) buffers.push(new Uint8Array(4096));
   */
  request(bytes: number): Operation<boolean> {
    return this.arbiter.requestFor(this, bytes);
  }

  /**
   * Gives `bytes` of quota back (at most down to the minimum).
   *
   * @example
   * buffers.pop(); client.release(4096);
   */
  release(bytes: number): void {
    this.arbiter.releaseFor(this, bytes);
  }

  /**
   * Answers the pending yield request; `released` is what was released for it (already given
   * back with `release`).
   *
   * @example
   * onYield: (bytes) => { client.release(dropClean(bytes)); client.answer(bytes); }
   */
  answer(released: number): void {
    this.arbiter.answerFor(this, released);
  }
}

export class MemoryArbiter extends Resource {
  readonly budget: number;
  readonly answerDeadlineMs: number;
  readonly backoffMs: number;
  /** Sum of all quotas. */
  handedOut = 0;
  readonly clients: MemoryClient[] = [];
  readonly events: MemoryEvent[] = [];
  eventsDropped = 0;
  private readonly queue: Pending[] = [];

  /**
   * @example
   * const arbiter = new MemoryArbiter({ budget: 1 << 20, answerDeadlineMs: 50 });
   */
  constructor(options: MemoryArbiterOptions) {
    super(options.name ?? 'ram');
    this.budget = bytesArg(options.budget, 'MemoryArbiter budget');
    this.answerDeadlineMs = bytesArg(options.answerDeadlineMs ?? 100, 'answerDeadlineMs');
    this.backoffMs = bytesArg(options.backoffMs ?? 50, 'backoffMs');
  }

  get resourceKind(): string {
    return 'memory arbiter';
  }

  /** Budget not handed out. */
  get free(): number {
    return this.budget - this.handedOut;
  }

  /**
   * Adds a component holding its `minimum`. ENOMEM when the minimum does not fit the budget.
   *
   * @example
   * const client = arbiter.register({ name: 'cache0', minimum: 8 * 4096, onYield });
   */
  register(options: MemoryClientOptions): MemoryClient {
    const minimum = bytesArg(options.minimum, `minimum of ${options.name}`);
    if (this.clients.length >= MAX_MEMORY_CLIENTS)
      throw new InvalidArgumentError(
        `arbiter ${this.name}: more than ${MAX_MEMORY_CLIENTS} clients`,
      );
    if (minimum > this.free)
      throw new GreenkernelError(
        'ENOMEM',
        `arbiter ${this.name}: minimum ${minimum} of ${options.name} exceeds the free budget ${this.free}`,
      );
    const c = new MemoryClient(this, options.name, minimum, options.onYield);
    this.clients.push(c);
    this.handedOut += minimum;
    this.record('quota', c, minimum);
    return c;
  }

  /** SPI (Waitable). */
  owners(): readonly Thread[] {
    return NO_OWNERS;
  }

  /** SPI (Waitable): a requester timed out or was killed: it leaves the queue. */
  removeWaiter(t: Thread): void {
    const i = this.queue.findIndex((p) => p.thread === t);
    if (i < 0) return;
    this.queue.splice(i, 1); // a timed-out request is denied by its thread (requestFor)
    if (i === 0) this.serveHead();
  }

  /** @internal */
  *requestFor(c: MemoryClient, bytes: number): Routine<boolean> {
    bytesArg(bytes, `request of ${c.name}`);
    if (bytes === 0) throw new InvalidArgumentError(`request of ${c.name}: 0 bytes`);
    const kernel = this.kernelOf();
    if (c.inBackoff(kernel.now())) {
      c.suppressed++;
      return false;
    }
    this.record('request', c, bytes);
    const self = enter('MemoryClient.request()');
    const p: Pending = {
      client: c,
      bytes,
      thread: self,
      asked: [],
      granted: false,
      settled: false,
    };
    this.queue.push(p);
    if (this.queue.length === 1) this.serveHead();
    if (p.settled) return p.granted;
    try {
      yield* this.waitFor(p);
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      for (const a of p.asked) {
        if (a.pendingYield === 0) continue;
        this.record('unanswered', a, a.pendingYield);
        kernel.warn(
          `arbiter ${this.name}: ${a.name} did not answer a yield request for ${a.pendingYield} bytes within ${this.answerDeadlineMs} ms`,
        );
      }
      this.deny(p);
    }
    return p.granted;
  }

  private waitFor(p: Pending): Operation<void> {
    const self = enter('MemoryClient.request()', this.answerDeadlineMs);
    this.bind(self);
    if (p.settled) return completed(self, undefined);
    block(self, this, WAIT_MEMORY, this.answerDeadlineMs);
    return suspended<void>(self);
  }

  /** @internal */
  releaseFor(c: MemoryClient, bytes: number): void {
    bytesArg(bytes, `release of ${c.name}`);
    if (bytes > c.surplus)
      throw new GreenkernelError(
        'ERANGE',
        `arbiter ${this.name}: ${c.name} releases ${bytes} bytes but holds only ${c.surplus} above its minimum`,
      );
    if (bytes === 0) return;
    c.quota -= bytes;
    this.handedOut -= bytes;
    this.record('release', c, bytes);
    this.serveHead();
  }

  /** @internal */
  answerFor(c: MemoryClient, released: number): void {
    if (c.pendingYield === 0)
      throw new InvalidArgumentError(`arbiter ${this.name}: ${c.name} answers no yield request`);
    c.pendingYield = 0;
    this.record('answer', c, released);
    this.serveHead();
  }

  /** Grants the head request if free budget covers it; otherwise asks for yields or denies. */
  private serveHead(): void {
    for (let p = this.queue[0]; p !== undefined; p = this.queue[0]) {
      if (p.bytes <= this.free) {
        this.grant(p);
        continue;
      }
      if (p.asked.length === 0 && !this.askYields(p)) {
        this.deny(p);
        continue;
      }
      if (p.asked.some((a) => a.pendingYield > 0)) return; // answers still due
      this.deny(p); // everyone asked answered and it is still not enough
    }
  }

  /** Sends yield requests for the head's shortfall; false when the surplus cannot cover it. */
  private askYields(p: Pending): boolean {
    const needed = p.bytes - this.free;
    const candidates = this.clients
      .filter((c) => c !== p.client && c.onYield !== undefined && c.pendingYield === 0)
      .filter((c) => c.surplus > 0)
      .sort((a, b) => b.surplus - a.surplus);
    let total = 0;
    for (const c of candidates) total += c.surplus;
    if (total < needed) return false;
    let asked = 0;
    for (const c of candidates) {
      if (asked >= needed) break;
      const ask = Math.min(c.surplus, needed - asked);
      asked += ask;
      c.pendingYield = ask;
      p.asked.push(c);
      this.record('yield', c, ask);
    }
    // Callbacks last: one may release (and so re-enter serveHead) at once.
    for (const c of p.asked.slice()) if (c.pendingYield > 0) c.onYield!(c.pendingYield);
    return true;
  }

  private grant(p: Pending): void {
    const c = p.client;
    c.quota += p.bytes;
    this.handedOut += p.bytes;
    assert(this.handedOut <= this.budget, 'arbiter: handed out never exceeds the budget');
    this.record('grant', c, p.bytes);
    this.settle(p, true);
  }

  private deny(p: Pending): void {
    if (p.settled) return;
    p.client.deniedUntil = this.kernelOf().now() + this.backoffMs;
    this.record('deny', p.client, p.bytes);
    this.settle(p, false);
  }

  private settle(p: Pending, granted: boolean): void {
    p.granted = granted;
    p.settled = true;
    const i = this.queue.indexOf(p);
    if (i >= 0) this.queue.splice(i, 1);
    if (p.thread.waitOn === this) wake(p.thread, undefined);
  }

  private kernelOf(): KernelCore {
    const k = this.kernel;
    if (k !== null) return k;
    return this.bind(enter('MemoryArbiter'));
  }

  private record(kind: MemoryEventKind, c: MemoryClient, bytes: number): void {
    assert(this.handedOut <= this.budget && c.quota >= c.minimum, 'arbiter: quota invariants');
    if (this.events.length >= MAX_MEMORY_EVENTS) {
      this.eventsDropped++;
      return;
    }
    const time = this.kernel === null ? 0 : this.kernel.now();
    this.events.push({ time, kind, client: c.name, bytes, quota: c.quota });
  }
}

function bytesArg(n: number, what: string): number {
  if (!(Number.isSafeInteger(n) && n >= 0))
    throw new InvalidArgumentError(`${what} must be a non-negative integer, got ${n}`);
  return n;
}
