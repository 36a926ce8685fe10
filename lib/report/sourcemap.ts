/**
 * Source positions of compiled JavaScript, with or without `--enable-source-maps`.
 *
 * Interface: `originalPosition(file, line0, column0)` → `{ file, line0, column0 }` or null.
 * How: node's own table first (`module.findSourceMap`: filled when source maps are enabled, by
 * `--enable-source-maps`, tsx or `process.setSourceMapsEnabled`); else the file's own map,
 * found as node finds it: the last `//# sourceMappingURL=` comment of the script, a `data:`
 * URL (inline map) or a path relative to the script, parsed by node's `SourceMap` class (which
 * works without the flag), its `sources` resolved against `sourceRoot` and the map's location.
 * So a user's compiled code run with plain `node` still shows .ts lines in reports.
 * Invariants: never throws (no map, an unreadable or bad map: null); each script is read at most
 * once (the result, map or none, is cached; at most MAX_CACHED_MAPS scripts, oldest dropped);
 * scripts larger than MAX_SCRIPT_BYTES are not read.
 */
import { readFileSync, statSync } from 'node:fs';
import { SourceMap, findSourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Scripts whose map (or lack of one) is remembered. */
export const MAX_CACHED_MAPS = 256;
/** Larger scripts are not read for a sourceMappingURL comment (bundles of that size are rare). */
export const MAX_SCRIPT_BYTES = 64 * 1024 * 1024;

interface Loaded {
  readonly map: SourceMap;
  /** URL the map's relative sources resolve against (sourceRoot applied). */
  readonly base: string;
}
const cache = new Map<string, Loaded | null>();
const MAPPING_URL = /\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/;

/** A 0-based position in an original source (an absolute path, or a URL that is not file:). */
export interface OriginalPosition {
  readonly file: string;
  readonly line0: number;
  readonly column0: number;
}

/**
 * Where 0-based `line0`:`column0` of script `file` (a path or file: URL) comes from, or null.
 *
 * @example
 * originalPosition('/app/out/main.js', 41, 8); // { file: '/app/src/main.ts', line0: 30, column0: 4 }
 */
export function originalPosition(
  file: string,
  line0: number,
  column0: number,
): OriginalPosition | null {
  try {
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    const native = findSourceMap(path);
    if (native !== undefined) return entryOf(native, line0, column0, null);
    const own = loadMap(path);
    return own === null ? null : entryOf(own.map, line0, column0, own.base);
  } catch {
    return null;
  }
}

function entryOf(
  map: SourceMap,
  line0: number,
  column0: number,
  base: string | null,
): OriginalPosition | null {
  const e = map.findEntry(line0, column0) as {
    originalSource?: string;
    originalLine?: number;
    originalColumn?: number;
  };
  if (e.originalSource === undefined || e.originalLine === undefined) return null;
  // node's table holds sources already resolved; a map parsed here holds them as written.
  const url = base === null ? e.originalSource : new URL(e.originalSource, base).href;
  return {
    file: url.startsWith('file:') ? fileURLToPath(url) : url,
    line0: e.originalLine,
    column0: e.originalColumn ?? 0,
  };
}

function loadMap(path: string): Loaded | null {
  if (cache.has(path)) return cache.get(path)!;
  let loaded: Loaded | null = null;
  try {
    loaded = readMap(path);
  } catch {
    loaded = null;
  }
  if (cache.size >= MAX_CACHED_MAPS) cache.delete(cache.keys().next().value!);
  cache.set(path, loaded);
  return loaded;
}

function readMap(path: string): Loaded | null {
  if (statSync(path).size > MAX_SCRIPT_BYTES) return null;
  const text = readFileSync(path, 'utf8');
  // The comment is on the script's last non-empty line (tsc, esbuild, swc put it there).
  const tail = text.slice(Math.max(0, text.length - 4096)).trimEnd();
  const lastLine = tail.slice(tail.lastIndexOf('\n') + 1);
  let ref = MAPPING_URL.exec(lastLine)?.[1];
  if (ref === undefined) {
    const inline = text.lastIndexOf('//# sourceMappingURL=data:');
    if (inline < 0) return null;
    ref = MAPPING_URL.exec(text.slice(inline).trimEnd())?.[1];
    if (ref === undefined) return null;
  }
  const scriptUrl = pathToFileURL(path).href;
  let json: string;
  let mapUrl: string;
  if (ref.startsWith('data:')) {
    const comma = ref.indexOf(',');
    const meta = ref.slice(0, comma);
    const data = ref.slice(comma + 1);
    json = meta.endsWith(';base64')
      ? Buffer.from(data, 'base64').toString('utf8')
      : decodeURIComponent(data);
    mapUrl = scriptUrl;
  } else {
    mapUrl = new URL(ref, scriptUrl).href;
    if (!mapUrl.startsWith('file:')) return null;
    json = readFileSync(fileURLToPath(mapUrl), 'utf8');
  }
  const payload = JSON.parse(json) as { sourceRoot?: string };
  const root = payload.sourceRoot ?? '';
  const base = new URL(root === '' || root.endsWith('/') ? root : root + '/', mapUrl).href;
  return { map: new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]), base };
}

const STACK_LOCATION = /^(\s+at (?:.*? \()?)((?:file:\/\/)?\/[^():]+\.[cm]?js):(\d+):(\d+)(\)?)$/;

/**
 * A JavaScript stack with each frame in a compiled .js file that has a source map shown at its
 * original position (as `--enable-source-maps` would); other lines unchanged.
 *
 * @example
 * error.stack = mapStack(error.stack); // '    at parse (/app/src/parse.ts:12:15)'
 */
export function mapStack(stack: string): string {
  if (!stack.includes('.js:')) return stack;
  return stack
    .split('\n')
    .map((line) => {
      const m = STACK_LOCATION.exec(line);
      if (m === null) return line;
      const p = originalPosition(m[2]!, Number(m[3]) - 1, Number(m[4]) - 1);
      return p === null ? line : `${m[1]}${p.file}:${p.line0 + 1}:${p.column0 + 1}${m[5]}`;
    })
    .join('\n');
}
