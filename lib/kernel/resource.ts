/**
 * Binding of a resource to the kernel that first uses it.
 *
 * Resources are created without a kernel (`new Mutex('dev.lock')`) and belong to the kernel of
 * the first thread that takes or waits on them; a thread of another kernel that tries to take
 * or wait gets CrossKernelError (EXDEV), so two hosted driver instances can never interfere
 * through a shared lock by accident. Waking operations (up, signal, broadcast, complete, fail,
 * wakeup with the kernel named) may come from anywhere — the host or any kernel's thread — as
 * an interrupt may: they bind nothing and wake the waiters in their own kernel.
 * A creation hook (set by lock-order validation with classes by creation site) sees every
 * resource as it is constructed; unset, it costs one compare per construction.
 */
import { CrossKernelError } from './errors.ts';
import type { KernelCore as Kernel } from './kernel.ts';
import type { Thread } from './thread.ts';

let creationHook: ((resource: Resource) => void) | null = null;

/**
 * @internal Installs (or, with null, removes) the hook called by every Resource constructor.
 *
 * @example
 * setCreationHook((r) => sites.set(r, callerSite()));
 */
export function setCreationHook(hook: ((resource: Resource) => void) | null): void {
  creationHook = hook;
}

/** Base of every synchronisation resource: a name and the kernel it belongs to. */
export abstract class Resource {
  /** @internal */ kernel: Kernel | null = null;
  /** @internal see heldAlone(). */ private alone: readonly Resource[] | null = null;
  abstract readonly resourceKind: string;

  constructor(readonly name: string) {
    if (creationHook !== null) creationHook(this);
  }

  /** @internal Binds to `t`'s kernel on first use; refuses threads of another kernel. */
  protected bind(t: Thread): Kernel {
    const k = this.kernel;
    if (k === t.kernel) return k;
    if (k === null) return (this.kernel = t.kernel);
    throw new CrossKernelError(
      `${this.resourceKind} ${this.name}`,
      k.name,
      t.toString(),
      t.kernel.name,
    );
  }

  /**
   * @internal The list of locks held by a thread that holds this one and nothing else: one
   * frozen array per resource, shared by every such holder, so taking a first lock allocates
   * nothing (a mutex drain of a million threads made a million lists).
   */
  heldAlone(): readonly Resource[] {
    return (this.alone ??= Object.freeze([this]));
  }

  toString(): string {
    return `${this.resourceKind} ${this.name}`;
  }
}
