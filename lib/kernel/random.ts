/**
 * Seeded pseudo-random numbers for deterministic scheduling.
 *
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of state, integer-only,
 * so the same seed gives the same sequence on every JavaScript engine.
 */
import { InvalidArgumentError } from './errors.ts';

/** A deterministic random source: the same seed always yields the same sequence. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * @example
   * const rng = new SeededRandom(42);
   * rng.below(6); // a die roll, the same one for every run seeded 42
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed))
      throw new RangeError(`seed must be a safe integer, got ${seed}`);
    // Low 32 bits in d, high bits in c: every safe integer gets its own state (folding the high
    // word into d made seeds collide, e.g. -1 with 0 and 2^32 with 1). For seeds in [0, 2^32)
    // the high word is 0, so their sequences are unchanged.
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162 ^ Math.floor(seed / 0x100000000);
    this.d = seed | 0;
    // Mix the seed in, so that nearby seeds give unrelated sequences.
    for (let i = 0; i < 16; i++) this.nextUint32();
  }

  /**
   * The next 32-bit unsigned integer.
   *
   * @example
   * new SeededRandom(1).nextUint32(); // same value every time
   */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /**
   * A uniform integer in [0, n). n must be a positive integer below 2^32.
   *
   * @example
   * new SeededRandom(7).below(10); // 0..9
   */
  below(n: number): number {
    if (!(n > 0 && n <= 0x100000000 && Number.isInteger(n)))
      throw new RangeError(`below(${n}): n must be an integer in [1, 2^32]`);
    // Rejection sampling removes modulo bias; expected iterations < 2.
    const limit = 0x100000000 - (0x100000000 % n);
    for (let i = 0; i < 64; i++) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
    return this.nextUint32() % n; // 64 rejections in a row has probability < 2^-64
  }
}

/**
 * The generator of stream `stream` of `seed`: the same pair always gives the same sequence,
 * and another name another sequence (FNV-1a of the name mixed into the seed's low word).
 *
 * @example
 * streamRandom(7, 'disk0').below(10); // the same for every kernel seeded 7
 */
export function streamRandom(seed: number, stream: string): SeededRandom {
  if (typeof stream !== 'string' || stream === '')
    throw new InvalidArgumentError('random(stream): stream must be a non-empty string');
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  const mixed = Math.floor(seed / 0x100000000) * 0x100000000 + ((seed ^ h) >>> 0);
  // Only -2^53 falls outside the safe integers; move it by one high word.
  return new SeededRandom(Number.isSafeInteger(mixed) ? mixed : mixed + 0x100000000);
}
