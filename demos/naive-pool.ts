/**
 * A naive run-to-completion dispatcher, simulated honestly, for contrast with greenkernel.
 *
 * Interface: `runNaivePool({ contexts, reads, latency, maxSteps })` → outcome.
 * Model: a fixed pool of `contexts` execution contexts and one FIFO of work items. A context
 * takes a work item and runs it to completion; when the item must wait (for an I/O completion)
 * the context waits with it — it cannot run anything else. The device finishes an I/O after
 * `latency` steps and queues the completion handler ("interrupt bottom half") as a work item on
 * the same queue, so it too needs a free context. With as many concurrent reads as contexts,
 * every context waits for a completion that only a queued work item can deliver: a hang. The
 * simulator detects it with a step bound (no work finished in `maxSteps` steps) and reports
 * each context's state and the queue. Invariant: each step is O(contexts + queue); the loop
 * runs at most `maxSteps` steps.
 */

/** What a work item asks of its context after each slice. */
type Need = { readonly waitFor: { done: boolean; name: string } } | null;
interface WorkItem {
  readonly name: string;
  readonly body: Generator<Need, void, void>;
}

export interface NaivePoolOptions {
  contexts: number;
  reads: number;
  /** Steps the device takes per I/O. */
  latency?: number;
  maxSteps?: number;
}

export interface NaivePoolOutcome {
  readonly finished: boolean;
  readonly steps: number;
  readonly completedReads: number;
  /** Human-readable hang report (empty when it finished). */
  readonly report: string;
}

/**
 * Runs `reads` concurrent block reads on a pool of `contexts` run-to-completion contexts.
 *
 * @example
 * runNaivePool({ contexts: 2, reads: 2 }).finished; // false: hung, see .report
 */
export function runNaivePool(options: NaivePoolOptions): NaivePoolOutcome {
  const latency = options.latency ?? 3;
  const maxSteps = options.maxSteps ?? 1_000;
  const queue: WorkItem[] = [];
  const device: { remaining: number; io: { done: boolean; name: string } }[] = [];
  type Running = WorkItem & { waiting: { done: boolean; name: string } | null };
  const slots: (Running | null)[] = new Array<Running | null>(options.contexts).fill(null);
  let completedReads = 0;

  function* completionHandler(io: { done: boolean; name: string }): Generator<Need, void, void> {
    io.done = true; // deliver the completion: wake whoever waits for it
  }
  function* readRequest(block: number): Generator<Need, void, void> {
    const io = { done: false, name: `io blk ${block}` };
    device.push({ remaining: latency, io }); // submit to the device
    yield { waitFor: io }; // the context blocks here until the completion handler has run
    completedReads++;
  }
  for (let i = 0; i < options.reads; i++)
    queue.push({ name: `read blk ${i}`, body: readRequest(i) });

  let lastProgress = 0;
  let step = 0;
  for (; step < maxSteps; step++) {
    // The device: finished I/O queues its completion handler as a work item.
    for (let i = device.length - 1; i >= 0; i--) {
      const d = device[i]!;
      if (--d.remaining > 0) continue;
      device.splice(i, 1);
      queue.push({ name: `completion ${d.io.name}`, body: completionHandler(d.io) });
    }
    // Each context runs its work item to completion; an idle one takes the next item.
    for (let c = 0; c < slots.length; c++) {
      let slot = slots[c]!;
      if (slot === null) {
        const item = queue.shift();
        if (item === undefined) continue;
        slot = slots[c] = { ...item, waiting: null };
      }
      if (slot.waiting !== null && !slot.waiting.done) continue; // still waiting: the context is stuck
      const r = slot.body.next();
      if (r.done === true) {
        slots[c] = null;
        lastProgress = step;
      } else {
        slot.waiting = r.value === null ? null : r.value.waitFor;
      }
    }
    if (completedReads === options.reads && slots.every((s) => s === null) && queue.length === 0) {
      return { finished: true, steps: step + 1, completedReads, report: '' };
    }
  }
  const lines = [
    `HANG (naive run-to-completion pool): no work item finished for ${step - lastProgress} steps (step bound ${maxSteps})`,
    ...slots.map(
      (s, c) =>
        `  context ${c}: ${s === null ? 'idle' : `runs "${s.name}", blocked waiting for ${s.waiting?.name ?? '?'}`}`,
    ),
    `  queue: ${queue.length === 0 ? 'empty' : queue.map((q) => `"${q.name}"`).join(', ')} — no free context to run it`,
    `  ${completedReads}/${options.reads} reads completed`,
  ];
  return { finished: false, steps: step, completedReads, report: lines.join('\n') };
}
