/**
 * A node --import module for tests: makes the development-only packages the benchmarks compare
 * against (benchmark, effect, effection) unresolvable, as they are in an installed package.
 *
 * Usage: node --import tsx --import ./spec/helpers/hide-packages.mjs bench/index.ts --quick
 * Invariant: resolving one of them (or a subpath of one) fails with ERR_MODULE_NOT_FOUND, the
 * error node gives for a package that is not installed; everything else resolves as usual.
 * Child processes started with this process's execArgv inherit it.
 */
import { register } from 'node:module';

const HIDDEN = ['benchmark', 'effect', 'effection'];

const hooks = `
const HIDDEN = ${JSON.stringify(HIDDEN)};
export async function resolve(specifier, context, next) {
  const hidden = HIDDEN.find((name) => specifier === name || specifier.startsWith(name + '/'));
  if (hidden !== undefined) {
    const error = new Error("Cannot find package '" + hidden + "' imported from " + context.parentURL);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}`;

register(`data:text/javascript,${encodeURIComponent(hooks)}`);
