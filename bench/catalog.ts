/**
 * Catalog: the names of workloads and contenders as the report, the chart and the README
 * show them, and which figure of the same suite is each workload's floor.
 *
 * Interface: WORKLOADS, DRAIN_WORKLOADS, CONTENDERS, workloadLabel(id), contenderLabel(id).
 * Invariants: every workload and contender id a suite emits has an entry here; a workload's
 * floor names a (workload, contender) pair measured in the same suite, so a ratio to the floor
 * never mixes two processes. Drain workloads have no floor: each size is compared with the
 * smallest size of the same workload, in the same process.
 */

export interface WorkloadInfo {
  readonly label: string;
  readonly suite: string;
  /** The raw figure this workload's rows are divided by. */
  readonly floor: { readonly workload: string; readonly contender: string };
}

export const WORKLOADS: Readonly<Record<string, WorkloadInfo>> = {
  'yield-pingpong': {
    label: 'yield ping-pong, 2 threads',
    suite: 'yield',
    floor: { workload: 'yield-pingpong', contender: 'raw-trampoline' },
  },
  'mailbox-pingpong': {
    label: 'blocking send/receive ping-pong',
    suite: 'handoff',
    floor: { workload: 'mailbox-pingpong', contender: 'raw-mailbox' },
  },
  'mutex-handoff': {
    label: 'mutex hand-off, 2 threads',
    suite: 'handoff',
    floor: { workload: 'mailbox-pingpong', contender: 'raw-mailbox' },
  },
  'condvar-pingpong': {
    label: 'condvar ping-pong, 2 threads',
    suite: 'handoff',
    floor: { workload: 'mailbox-pingpong', contender: 'raw-mailbox' },
  },
  'rr-1000': {
    label: 'round robin, 1,000 threads',
    suite: 'roundrobin',
    floor: { workload: 'rr-1000', contender: 'raw-trampoline' },
  },
  'rr-1000-d5': {
    label: 'round robin, 1,000 threads 5 frames deep',
    suite: 'roundrobin',
    floor: { workload: 'rr-1000', contender: 'raw-trampoline' },
  },
  'spawn-exit': {
    label: 'spawn + exit',
    suite: 'spawn',
    floor: { workload: 'spawn-exit', contender: 'raw-generators' },
  },
  'blocked-d3': {
    label: 'blocked thread, 3 frames deep',
    suite: 'memory',
    floor: { workload: 'blocked-d3', contender: 'raw-generators' },
  },
  'blocked-d1': {
    label: 'blocked thread, 1 frame',
    suite: 'memory',
    floor: { workload: 'blocked-d1', contender: 'raw-generators' },
  },
};

/** The drain workloads (suite "drain"): label by workload id. */
export const DRAIN_WORKLOADS: Readonly<Record<string, string>> = {
  'drain-semaphore': 'semaphore drain: n blocked in down(), up() one at a time',
  'drain-mutex': 'mutex drain: n blocked in lock(), a chain of hand-offs',
};

export const CONTENDERS: Readonly<Record<string, string>> = {
  'raw-trampoline': 'raw generators, trampoline (floor)',
  'raw-trampoline-d5': 'raw generators, trampoline, 5 yield* frames',
  'raw-runqueue': 'raw generators, run queue',
  'raw-runqueue-d5': 'raw generators, run queue, 5 yield* frames',
  'raw-mailbox': 'raw generators, 1-slot mailboxes',
  'protocol-floor':
    'raw generators, 1-slot mailboxes through typed yield* (floor of the operation protocol)',
  'raw-generators': 'raw generators',
  'greenkernel-d1': 'greenkernel, depth 1 (bare yield)',
  'ablation-bare-loop': 'ablation: greenkernel, depth 1, bare dispatch loop (not a runtime)',
  'ablation-thread-records':
    'ablation: raw run queue of greenkernel Thread records (not a runtime)',
  'ablation-run-queue': 'ablation: Thread records through the greenkernel RunQueue (not a runtime)',
  'greenkernel-d5': 'greenkernel, depth 5 (call frames)',
  'greenkernel-d5-plain': 'greenkernel, depth 5 (plain yield*)',
  'greenkernel-d1-trace': 'greenkernel, depth 1, trace recorded',
  greenkernel: 'greenkernel',
  'greenkernel-closures': 'greenkernel, a body closure per thread',
  'ablation-spawn-records': 'ablation: raw generators each in a new Thread record (not a runtime)',
  'ablation-spawn-bookkeeping':
    "ablation: Thread records made and finished with the kernel's per-thread state, no checks (not a runtime)",
  'ablation-spawn-bare-loop':
    'ablation: greenkernel spawn + exit, bare dispatch loop (not a runtime)',
  'greenkernel-mutex': 'greenkernel Mutex',
  'greenkernel-condvar': 'greenkernel CondVar + Mutex',
  'greenkernel-semaphore': 'greenkernel Semaphore pair',
  'ablation-unchecked-semaphore': 'ablation: greenkernel, semaphore without its checks (not safe)',
  'ablation-blocked-records':
    'ablation: raw generator chains, each in a Thread record (not a runtime)',
  'greenkernel-completion': 'greenkernel, Completion.wait()',
  'greenkernel-semaphore-down': 'greenkernel, Semaphore.down()',
  'async-await-null': 'async/await, await null loops',
  'async-await-null-d5': 'async/await, await null 5 frames deep',
  'async-promise': 'async/await, two promises',
  'async-await': 'async/await',
  effection: 'Effection 4 (self-resolving action)',
  'effection-channel': 'Effection 4, channels',
  effect: 'Effect 4 (yieldNow, sync scheduler)',
  'effect-queue': 'Effect 4, Queue (default scheduler)',
  'effect-queue-sync': 'Effect 4, Queue (sync scheduler)',
  'effection-tasks': 'Effection 4 tasks',
  'effect-fibers': 'Effect 4 fibers (sync scheduler)',
  'c-setjmp': 'C _setjmp/_longjmp coroutines',
  'c-pthread': 'C pthreads, mutex + condvar',
};

/**
 * The display name of a workload id (the id itself when unknown).
 *
 * @example
 * workloadLabel('rr-1000'); // 'round robin, 1,000 threads'
 */
export function workloadLabel(id: string): string {
  return WORKLOADS[id]?.label ?? DRAIN_WORKLOADS[id] ?? id;
}

/**
 * The display name of a contender id (the id itself when unknown).
 *
 * @example
 * contenderLabel('raw-mailbox'); // 'raw generators, 1-slot mailboxes'
 */
export function contenderLabel(id: string): string {
  return CONTENDERS[id] ?? id;
}
