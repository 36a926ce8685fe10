/**
 * greenkernel/mem: the memory arbiter — a fixed budget shared by components, with guaranteed
 * minimums, requests, yield requests, answer deadlines and back-off.
 */
export {
  MAX_MEMORY_CLIENTS,
  MAX_MEMORY_EVENTS,
  MemoryArbiter,
  MemoryClient,
  WAIT_MEMORY,
} from './arbiter.ts';
export type {
  MemoryArbiterOptions,
  MemoryClientOptions,
  MemoryEvent,
  MemoryEventKind,
} from './arbiter.ts';
