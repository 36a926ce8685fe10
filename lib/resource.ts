/**
 * Binding of a resource to the kernel that first uses it.
 *
 * Resources are created without a kernel (`new Mutex('dev.lock')`) and belong to the kernel of
 * the first thread that uses them; a thread of another kernel gets CrossKernelError (EXDEV), so
 * two hosted driver instances can never interfere through a shared lock by accident.
 */
import { CrossKernelError } from './errors.ts';
import type { Kernel } from './kernel.ts';
import type { Thread } from './thread.ts';

/** Base of every synchronisation resource: a name and the kernel it belongs to. */
export abstract class Resource {
  /** @internal */ kernel: Kernel | null = null;
  abstract readonly resourceKind: string;

  constructor(readonly name: string) {}

  /** @internal Binds to `t`'s kernel on first use; refuses threads of another kernel. */
  protected bind(t: Thread): Kernel {
    const k = this.kernel;
    if (k === t.kernel) return k;
    if (k === null) return (this.kernel = t.kernel);
    throw new CrossKernelError(`${this.resourceKind} ${this.name}`);
  }

  toString(): string {
    return `${this.resourceKind} ${this.name}`;
  }
}
