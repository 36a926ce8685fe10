/**
 * The libraries greenkernel is compared against (Effection, Effect) are development
 * dependencies: an installed package has none of them. This module loads each one if it is
 * there, so the benchmarks run every contender that needs nothing extra and name the others.
 *
 * Interface: OPTIONAL_PACKAGES, optionalPackage<T>(name) -> the module or a stand-in,
 * missingPackageFor(contender) -> the package a contender lacks, or null, missingNote() -> the
 * note naming what was skipped and how to add it, or null.
 * Invariants:
 *  - no bench module imports these libraries statically; each is imported here, once, with a
 *    dynamic import at the top level (this module is ESM only, as the package is);
 *  - only "this package is not installed" (ERR_MODULE_NOT_FOUND naming it) counts as absent;
 *    any other failure to load is thrown;
 *  - a contender belongs to a library by its id (effection, effection-*, effect, effect-*); the
 *    harness skips the cells, and the memory suite the blockers, of a missing library;
 *  - an absent library's stand-in throws MissingPackageError the moment any of its members is
 *    used, so code that forgot to skip says why instead of failing on undefined.
 */
import { CONTENDERS } from './catalog.ts';

export interface OptionalPackage {
  readonly name: string;
  readonly label: string;
  /** What to give `npm i -D` to add it. */
  readonly install: string;
  /** The ids of the contenders that need it. */
  readonly contenders: RegExp;
}

export const OPTIONAL_PACKAGES: readonly OptionalPackage[] = [
  {
    name: 'effection',
    label: 'Effection 4',
    install: 'effection@4',
    contenders: /^effection(-|$)/,
  },
  { name: 'effect', label: 'Effect 4', install: 'effect@4', contenders: /^effect(-|$)/ },
];

/** Thrown when a member of a library that is not installed is used. */
export class MissingPackageError extends Error {
  constructor(readonly packageName: string) {
    super(
      `${packageName} is not installed (npm i -D ${OPTIONAL_PACKAGES.find((p) => p.name === packageName)?.install ?? packageName})`,
    );
    this.name = 'MissingPackageError';
  }
}

async function importIfInstalled(name: string): Promise<unknown> {
  try {
    return await import(name);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (e.code === 'ERR_MODULE_NOT_FOUND' && (e.message ?? '').includes(`'${name}'`)) return null;
    throw error;
  }
}

const loaded = new Map<string, unknown>();
for (const p of OPTIONAL_PACKAGES) {
  const module = await importIfInstalled(p.name);
  if (module !== null) loaded.set(p.name, module);
}

/** Each member is a stand-in too: using one (calling, constructing, reading) throws. */
function standIn(name: string): unknown {
  const fail = (): never => {
    throw new MissingPackageError(name);
  };
  const member = new Proxy(function absent() {}, { get: fail, apply: fail, construct: fail });
  return new Proxy({}, { get: () => member });
}

/**
 * The library `name` (one of OPTIONAL_PACKAGES), or a stand-in that throws when used.
 *
 * @example
 * import type * as EffectLib from 'effect';
 * const { Effect, Fiber } = optionalPackage<typeof EffectLib>('effect');
 */
export function optionalPackage<T>(name: string): T {
  return (loaded.get(name) ?? standIn(name)) as T;
}

/**
 * The package contender `id` needs and that is not installed, or null.
 *
 * @example
 * missingPackageFor('effect-queue'); // null in a clone; the Effect entry in an installed package
 */
export function missingPackageFor(contender: string): OptionalPackage | null {
  return OPTIONAL_PACKAGES.find((p) => p.contenders.test(contender) && !loaded.has(p.name)) ?? null;
}

/**
 * The note for a run's report: which contenders were not measured, and the command that adds
 * them; null when every library is installed.
 *
 * @example
 * missingNote(); // 'not installed, not measured: effection, ... (Effection 4) ...; add them: npm i -D effection@4 effect@4'
 */
export function missingNote(): string | null {
  const missing = OPTIONAL_PACKAGES.filter((p) => !loaded.has(p.name));
  if (missing.length === 0) return null;
  const ids = Object.keys(CONTENDERS);
  const lists = missing.map(
    (p) => `${ids.filter((id) => p.contenders.test(id)).join(', ')} (${p.label})`,
  );
  return `not installed, not measured: ${lists.join('; ')}; add them with: npm i -D ${missing.map((p) => p.install).join(' ')}`;
}
