/**
 * Replacement policies of the block cache: LRU and SIEVE over one intrusive list.
 *
 * Interface: `new Replacement(kind)`, `insert(e)`, `touch(e)` (a hit), `remove(e)`,
 * `victim(evictable)` (the entry to evict, or null), `size`.
 * The list runs from `head` (newest) to `tail` (oldest). LRU moves an entry to the head on each
 * hit and evicts from the tail. SIEVE (Zhang et al., NSDI 2024) never moves an entry: a hit only
 * sets `visited`; a hand walks from the tail towards the head, clearing `visited` bits and
 * evicting the first entry without one, and stays where it stopped.
 * Why SIEVE as the second policy: it is the simplest of the scan-resistant policies (one bit an
 * entry, one hand, no ghost lists or tuning: ARC needs two ghost lists, S3-FIFO three queues),
 * which suits a cache meant to be small enough to trust; a hit costs one store instead of LRU's
 * six link updates; and a sequential scan cannot flush the hot set — new entries enter unvisited
 * near the head and the hand removes them first, while the hot ones keep their bit.
 * Invariants: every entry inserted and not removed is in the list exactly once; `hand` is
 * null or in the list; `victim` visits at most 2 * size entries (a full sweep clears every bit,
 * the second finds any evictable entry) and returns only entries `evictable` accepts.
 */

/** What the policies link: the cache's slots. */
export interface PolicyEntry {
  prev: PolicyEntry | null;
  next: PolicyEntry | null;
  visited: boolean;
}

export type PolicyKind = 'lru' | 'sieve';

export class Replacement<E extends PolicyEntry> {
  private head: E | null = null;
  private tail: E | null = null;
  private hand: E | null = null;
  /** Entries in the list. */
  size = 0;

  /**
   * @example
   * const policy = new Replacement<Slot>('sieve');
   */
  constructor(readonly kind: PolicyKind) {}

  /**
   * Adds `e` as the newest entry.
   *
   * @example
   * policy.insert(slot);
   */
  insert(e: E): void {
    e.visited = false;
    e.prev = null;
    e.next = this.head;
    if (this.head !== null) this.head.prev = e;
    else this.tail = e;
    this.head = e;
    this.size++;
  }

  /**
   * Records a hit on `e`.
   *
   * @example
   * policy.touch(slot);
   */
  touch(e: E): void {
    if (this.kind === 'sieve') {
      e.visited = true;
      return;
    }
    if (this.head === e) return;
    this.unlink(e);
    this.size++;
    e.prev = null;
    e.next = this.head;
    this.head!.prev = e;
    this.head = e;
  }

  /**
   * Takes `e` out of the list (evicted or released).
   *
   * @example
   * policy.remove(slot);
   */
  remove(e: E): void {
    if (this.hand === e) this.hand = e.prev as E | null;
    this.unlink(e);
  }

  /**
   * The entry to evict next among those `evictable` accepts (clean, no I/O), or null.
   *
   * @example
   * const v = policy.victim((s) => !s.dirty && !s.io);
   */
  victim(evictable: (e: E) => boolean): E | null {
    if (this.kind === 'lru') {
      for (let e = this.tail; e !== null; e = e.prev as E | null) if (evictable(e)) return e;
      return null;
    }
    let e = this.hand ?? this.tail;
    for (let steps = 2 * this.size; e !== null && steps > 0; steps--) {
      if (e.visited) e.visited = false;
      else if (evictable(e)) {
        this.hand = e;
        return e;
      }
      e = (e.prev ?? this.tail) as E | null;
    }
    this.hand = e;
    return null;
  }

  private unlink(e: E): void {
    if (e.prev !== null) e.prev.next = e.next;
    else this.head = e.next as E | null;
    if (e.next !== null) e.next.prev = e.prev;
    else this.tail = e.prev as E | null;
    e.prev = e.next = null;
    this.size--;
  }
}
