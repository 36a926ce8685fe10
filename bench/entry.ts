/**
 * Tells whether a module is the program node was asked to run (not imported by another).
 *
 * Interface: isEntryPoint(import.meta.url) -> boolean.
 * Invariant: compares real paths, so symlinks (npx bins, node_modules/.bin) and .ts/.js twins
 * under tsx or compiled dist/ are recognised alike; false when node runs no script (a REPL).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * True when the module at `moduleUrl` is the script node was started with.
 *
 * @example
 * if (isEntryPoint(import.meta.url)) main(process.argv.slice(2)).then((code) => (process.exitCode = code));
 */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  return real(script) === real(fileURLToPath(moduleUrl));
}
