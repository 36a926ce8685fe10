/**
 * The wait kinds of the block layer, registered once at load through the wait-kind registry,
 * so the detector, dumps and stall reports know them without any change of their own.
 *
 * Interface: WAIT_IO (a read or write in flight), WAIT_IO_FLUSH (a flush or barrier in
 * flight), WAIT_IO_SLOT (the device queue is full), WAIT_IO_IDLE (the device's irq thread
 * waits for requests).
 * Invariant: every kind but WAIT_IO_IDLE has an owner — the device's irq thread, the only
 * thread that can end the wait — so a wait for I/O takes part in cycle detection.
 */
import { registerWaitKind } from '../spi.ts';

function by(owners: string): string {
  return owners === ''
    ? ' (the device has no irq thread: not attached)'
    : `, completed by ${owners}`;
}

/** A requester waits for its read or write: "waiting for I/O on dev0 lba 17". */
export const WAIT_IO = registerWaitKind({
  name: 'io',
  durable: true,
  ownerless: false,
  phrase: (resource, owners) => `waiting for I/O on ${resource.name}${by(owners)}`,
});

/** A requester waits for its flush or barrier: "waiting for flush on dev0". */
export const WAIT_IO_FLUSH = registerWaitKind({
  name: 'io-flush',
  durable: true,
  ownerless: false,
  phrase: (resource, owners) => `waiting for ${resource.name}${by(owners)}`,
});

/** A requester waits for a free slot in a full device queue. */
export const WAIT_IO_SLOT = registerWaitKind({
  name: 'io-slot',
  durable: true,
  ownerless: false,
  phrase: (resource, owners) =>
    `waiting for a request slot on ${resource.name} (queue full)${owners === '' ? '' : `, drained by ${owners}`}`,
});

/** A device's irq thread waits for a request: any requester ends it. */
export const WAIT_IO_IDLE = registerWaitKind({
  name: 'io-idle',
  durable: true,
  ownerless: true,
  phrase: (resource) => `waits for requests to ${resource.name}`,
});
