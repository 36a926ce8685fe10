/**
 * The composition root: the Kernel users create — the scheduler core (lib/kernel/) with the
 * report layer's reporter (lib/report/) and the deadlock detector (lib/detect/) installed.
 * The core knows both only through its hooks, so the arrows of the layers run one way.
 *
 * Interface: `new Kernel(options)`, KernelOptions.
 */
import type { DetectionOptions } from './detect/detector.ts';
import { KernelCore, type KernelCoreOptions } from './kernel/kernel.ts';
import { attachDetection } from './report/findings.ts';
import { REPORTER } from './report/stall.ts';

export interface KernelOptions extends KernelCoreOptions {
  /**
   * Deadlock detection: `{ cycles, lockOrder, lockClass, backtraces }`, or false for none.
   * Default: cycles 'fail'; lockOrder 'fail' when NODE_ENV is 'test', else 'off'.
   */
  detection?: DetectionOptions | false;
}

/**
 * One scheduler multiplexing green threads on the host's JavaScript thread, with deadlock
 * detection and reports.
 *
 * @example
 * const kernel = new Kernel({ seed: 7, policy: 'random', trace: true });
 * kernel.spawn(function* hello() { yield* sleep(10); });
 * await kernel.run();
 */
export class Kernel extends KernelCore {
  constructor(options: KernelOptions = {}) {
    super(options);
    this.reporter = REPORTER;
    attachDetection(this, options.detection);
  }
}
